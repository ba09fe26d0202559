"""Indexes for a bank's entries: listed in order page by page, counted without the rows.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bank_entries_bank_order", "bank_entries", ["bank_id", "id"])
    op.create_index("ix_bank_entries_bank_enabled", "bank_entries", ["bank_id", "enabled"])


def downgrade() -> None:
    op.drop_index("ix_bank_entries_bank_enabled", table_name="bank_entries")
    op.drop_index("ix_bank_entries_bank_order", table_name="bank_entries")

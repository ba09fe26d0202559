"""Hash banks: banks and their entries (PDQ and MD5 hashes with label, source, who and when).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("description", sa.Text),
        sa.Column("threshold", sa.Integer, nullable=False, server_default="31"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("bank_id", Id, sa.ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("signal_type", sa.String(20), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("quality", sa.Integer),
        sa.Column("label", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("added_by", sa.String(120)),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("bank_id", "signal_type", "value", name="uq_bank_entries"),
    )
    op.create_index("ix_bank_entries_value", "bank_entries", ["signal_type", "value"])


def downgrade() -> None:
    op.drop_index("ix_bank_entries_value", "bank_entries")
    op.drop_table("bank_entries")
    op.drop_table("banks")

"""Campaigns stored by the `campaigns` corpus step.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("start", When, nullable=False),
        sa.Column("end", When, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("channel_count", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_campaigns_start", "campaigns", ["start"])
    op.create_index("ix_campaigns_end", "campaigns", ["end"])


def downgrade() -> None:
    op.drop_index("ix_campaigns_end", table_name="campaigns")
    op.drop_index("ix_campaigns_start", table_name="campaigns")
    op.drop_table("campaigns")

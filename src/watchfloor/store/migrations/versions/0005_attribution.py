"""Attribution: why a channel is attributed as it is (the outlet, the counts that decided).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channels", sa.Column("attribution_reasons", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("attribution_reasons")

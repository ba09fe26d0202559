"""Alerts: one row per rule and subject (state, evidence), and deliveries per sink.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.String(120), nullable=False),
        sa.Column("rule_type", sa.String(40), nullable=False),
        sa.Column("subject_key", sa.String(300), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_by", sa.String(120)),
        sa.Column("status_at", When),
        sa.Column("status_note", sa.Text),
        sa.Column("first_fired", When, nullable=False),
        sa.Column("last_fired", When, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint("rule_id", "subject_key", name="uq_alerts_rule_subject"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_id", Id, sa.ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sink", sa.String(120), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("updated_at", When, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_table("alerts")

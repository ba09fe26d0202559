"""Text analysis: analysts' lexicon entries and exemplars, and the outlet registry.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UtcDateTime = sa.DateTime(timezone=True)


def _provenance_columns() -> list[sa.Column]:
    return [
        sa.Column("note", sa.Text),
        sa.Column("added_by", sa.String(120)),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    ]


def upgrade() -> None:
    op.create_table(
        "lexicon_entries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("phrase", sa.Text, nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        *_provenance_columns(),
        sa.UniqueConstraint("language", "phrase", "label", name="uq_lexicon_entries"),
    )
    op.create_table(
        "exemplars",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        *_provenance_columns(),
        sa.UniqueConstraint("text", "label", name="uq_exemplars"),
    )
    op.create_table(
        "outlets",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("handles", sa.JSON, nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("watermark_labels", sa.JSON, nullable=False),
        sa.Column("signatures", sa.JSON, nullable=False),
        *_provenance_columns(),
    )


def downgrade() -> None:
    for table in ("outlets", "exemplars", "lexicon_entries"):
        op.drop_table(table)

"""Reference images (emblems, landmark gallery) and the targets read model.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UtcDateTime = sa.DateTime(timezone=True)


def _reference_columns() -> list[sa.Column]:
    return [
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
    ]


def _provenance_columns() -> list[sa.Column]:
    return [
        sa.Column("source", sa.Text),
        sa.Column("added_by", sa.String(120)),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    ]


def upgrade() -> None:
    op.create_table(
        "emblems",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        *_reference_columns(),
        sa.Column("note", sa.Text),
        *_provenance_columns(),
        sa.UniqueConstraint("label", "sha256", name="uq_emblems"),
    )
    op.create_table(
        "gallery",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("landmark", sa.String(200), nullable=False),
        sa.Column("city", sa.String(200)),
        sa.Column("country", sa.String(200)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        *_reference_columns(),
        *_provenance_columns(),
        sa.UniqueConstraint("landmark", "sha256", name="uq_gallery"),
    )
    op.create_table(
        "targets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("city", sa.Text),
        sa.Column("country", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("first_seen", UtcDateTime),
        sa.Column("last_seen", UtcDateTime),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("evidence_kinds", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "target_evidence",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "target_key",
            sa.String(200),
            sa.ForeignKey("targets.key", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("post_id", Id, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject_type", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("detail", sa.JSON),
        sa.Column("seen_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("target_key", "post_id", "kind", "subject", name="uq_target_evidence"),
    )
    op.create_index("ix_target_evidence_post", "target_evidence", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_target_evidence_post", "target_evidence")
    for table in ("target_evidence", "targets", "gallery", "emblems"):
        op.drop_table(table)

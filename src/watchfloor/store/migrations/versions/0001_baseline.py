"""Baseline schema: channels, posts and their versions, media, signals, analysis state, quarantine.

A fresh database is built from `watchfloor.store.schema` and stamped at head (Alembic's
"building an up-to-date database from scratch"); later revisions change existing databases
step by step from here.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

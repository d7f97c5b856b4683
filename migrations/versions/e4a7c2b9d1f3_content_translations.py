"""content translations: events, sessions and topic tables

Revision ID: e4a7c2b9d1f3
Revises: 9b4f0c2e6a17
Create Date: 2026-12-01 17:05:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e4a7c2b9d1f3"
down_revision = "9b4f0c2e6a17"
branch_labels = None
depends_on = None

TABLES = ("events", "event_sessions", "topic_tables")


def upgrade():
    # Reviewed (issue 22, item 2): one JSON column per translatable table, {"fr": {"title": …,
    # "description": …}}; every existing row gets {} (no translations: readers see the original).
    # Plain ADD COLUMN with a constant default: no batch rebuild on SQLite, no table rewrite on
    # PostgreSQL.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        )


def downgrade():
    for table in reversed(TABLES):
        op.drop_column(table, "translations")

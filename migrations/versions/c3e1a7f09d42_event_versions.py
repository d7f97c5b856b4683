"""event versions for cached pages and calendar files

Revision ID: c3e1a7f09d42
Revises: 7d1e2f9a4c3b
Create Date: 2026-12-01 13:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e1a7f09d42'
down_revision = '7d1e2f9a4c3b'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: events.version starts at 1 for every existing event (any later change bumps it:
    # models/versioning.py), events.changed_at empty until the first change (Last-Modified falls
    # back to updated_at). Plain ADD COLUMN, no batch rebuild on SQLite.
    op.add_column(
        'events', sa.Column('version', sa.Integer(), server_default='1', nullable=False)
    )
    op.add_column('events', sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('events', 'changed_at')
    op.drop_column('events', 'version')

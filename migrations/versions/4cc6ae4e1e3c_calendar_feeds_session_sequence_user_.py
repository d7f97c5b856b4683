"""calendar feeds: session sequence, user feed version

Revision ID: 4cc6ae4e1e3c
Revises: 3bc4d903251f
Create Date: 2026-11-24 14:11:21.718555

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4cc6ae4e1e3c'
down_revision = '3bc4d903251f'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: two integer columns with server defaults, so existing rows get 0. Plain
    # ADD COLUMN (not batch) so SQLite keeps the lower(email) expression index on users.
    op.add_column('event_sessions', sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    op.add_column('users', sa.Column('feed_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'feed_version')
    op.drop_column('event_sessions', 'sequence')

"""user interface language

Revision ID: af6f6a46ba7c
Revises: 3e573bf87864
Create Date: 2026-11-24 14:55:16.146931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'af6f6a46ba7c'
down_revision = '3e573bf87864'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: users.locale (the chosen interface language, NULL = follow the browser) added with
    # plain ADD COLUMN, not batch mode, which would rebuild users and drop the lower(email) index on SQLite.
    op.add_column('users', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    # Reviewed: plain DROP COLUMN (SQLite 3.35+), keeping the lower(email) index.
    op.drop_column('users', 'locale')

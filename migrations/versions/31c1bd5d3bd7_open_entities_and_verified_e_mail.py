"""open entities and verified e-mail addresses

Revision ID: 31c1bd5d3bd7
Revises: bd74a2d5f851
Create Date: 2026-12-01 11:31:41.387668

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31c1bd5d3bd7'
down_revision = 'bd74a2d5f851'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: three columns with plain ADD COLUMN, not batch mode, which would rebuild users and
    # drop the lower(email) index on SQLite. Every existing entity is confirmed and every existing
    # address trusted (server default true): only new sign-ups on a server that sends mail start
    # unverified, and only entities proposed at sign-up start unconfirmed.
    op.add_column('organisations', sa.Column('confirmed', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('users', sa.Column('email_verified', sa.Boolean(), server_default=sa.true(), nullable=False))
    # The new address asked for on the account page, until its link is opened.
    op.add_column('users', sa.Column('pending_email', sa.String(length=254), nullable=True))


def downgrade():
    # Reviewed: plain DROP COLUMN (SQLite 3.35+), keeping the lower(email) index.
    op.drop_column('users', 'pending_email')
    op.drop_column('users', 'email_verified')
    op.drop_column('organisations', 'confirmed')

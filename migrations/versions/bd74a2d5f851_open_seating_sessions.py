"""open seating sessions

Revision ID: bd74a2d5f851
Revises: a5960d324bc0
Create Date: 2026-12-01 11:28:50.670150

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bd74a2d5f851'
down_revision = 'a5960d324bc0'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: event_sessions.open_seating (anyone may come, nobody registers), false for every
    # existing session; plain ADD COLUMN (no batch rebuild of the table on SQLite).
    op.add_column(
        'event_sessions',
        sa.Column('open_seating', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): no batch rebuild.
    op.drop_column('event_sessions', 'open_seating')

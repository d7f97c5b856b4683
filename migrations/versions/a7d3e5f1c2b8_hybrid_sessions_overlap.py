"""hybrid sessions (online link, dial-in, online seats), online registrations, overlap policy

Revision ID: a7d3e5f1c2b8
Revises: e4a7c2b9d1f3
Create Date: 2026-12-01 17:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5f1c2b8'
down_revision = 'e4a7c2b9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 21, items 5 and 6): every existing session stays in person only (no link,
    # empty dial-in text), every existing registration in person (false by server default), and
    # every event warns about overlaps ('warn'). Plain ADD COLUMN with constant defaults: no
    # batch rebuild on SQLite, no table rewrite on PostgreSQL.
    op.add_column('event_sessions', sa.Column('online_url', sa.String(length=500), nullable=True))
    op.add_column(
        'event_sessions', sa.Column('online_info', sa.Text(), server_default='', nullable=False)
    )
    op.add_column('event_sessions', sa.Column('online_capacity', sa.Integer(), nullable=True))
    op.add_column(
        'registrations',
        sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        'events',
        sa.Column('overlap_policy', sa.String(length=10), server_default='warn', nullable=False),
    )


def downgrade():
    op.drop_column('events', 'overlap_policy')
    op.drop_column('registrations', 'online')
    op.drop_column('event_sessions', 'online_capacity')
    op.drop_column('event_sessions', 'online_info')
    op.drop_column('event_sessions', 'online_url')

"""reconfirmation: organisers ask the confirmed to say they still come

Revision ID: b9e2d4f6a1c3
Revises: f3b8d1c6a2e4
Create Date: 2026-12-02 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9e2d4f6a1c3'
down_revision = 'f3b8d1c6a2e4'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 21, item 2): plain ADD COLUMN, every one NULL or with a constant default,
    # so no batch rebuild on SQLite and no table rewrite on PostgreSQL. Every existing session
    # has never asked (NULL times) and frees no seat for silence (false); every existing
    # registration has not reconfirmed (NULL), which matters only once a session asks.
    op.add_column(
        'event_sessions',
        sa.Column('reconfirm_asked_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        'event_sessions',
        sa.Column('reconfirm_deadline', sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        'event_sessions',
        sa.Column('reconfirm_releases', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        'event_sessions',
        sa.Column('reconfirm_released_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        'registrations', sa.Column('reconfirmed_at', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.drop_column('registrations', 'reconfirmed_at')
    op.drop_column('event_sessions', 'reconfirm_released_at')
    op.drop_column('event_sessions', 'reconfirm_releases')
    op.drop_column('event_sessions', 'reconfirm_deadline')
    op.drop_column('event_sessions', 'reconfirm_asked_at')

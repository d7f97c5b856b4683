"""waitlist offers with a deadline, waitlist cap

Revision ID: 9b4f0c2e6a17
Revises: 5d2c8e1f7a90
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b4f0c2e6a17'
down_revision = '5d2c8e1f7a90'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 21, item 1): every existing session keeps automatic promotion
    # ('automatic' by server default) and no waitlist cap; registrations gain the two offer
    # times, null for every existing row. Plain ADD COLUMN and CREATE INDEX: no batch rebuild on
    # SQLite, no table rewrite on PostgreSQL (constant default).
    op.add_column(
        'event_sessions',
        sa.Column('waitlist_mode', sa.String(length=20), server_default='automatic', nullable=False),
    )
    op.add_column('event_sessions', sa.Column('offer_hours', sa.Integer(), nullable=True))
    op.add_column('event_sessions', sa.Column('waitlist_cap', sa.Integer(), nullable=True))
    op.add_column('registrations', sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('registrations', sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True))
    # The expiry sweep (cron and every touch of a session) looks offers up by deadline.
    op.create_index(
        op.f('ix_registrations_offer_expires_at'), 'registrations', ['offer_expires_at']
    )


def downgrade():
    op.drop_index(op.f('ix_registrations_offer_expires_at'), table_name='registrations')
    op.drop_column('registrations', 'offer_expires_at')
    op.drop_column('registrations', 'offered_at')
    op.drop_column('event_sessions', 'waitlist_cap')
    op.drop_column('event_sessions', 'offer_hours')
    op.drop_column('event_sessions', 'waitlist_mode')

"""live sessions and absences

Revision ID: a5960d324bc0
Revises: af6f6a46ba7c
Create Date: 2026-12-01 11:04:01.181532

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5960d324bc0'
down_revision = 'af6f6a46ba7c'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: two new tables for the live mode of speed networking; nothing existing changes.
    # live_sessions: the room's clock, one row per session (version grows with every change);
    # live_absences: people marked absent from a round on (one row per person and session).
    op.create_table('live_absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_live_absences_marked_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_live_absences_session_id_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_absences_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_absences')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_live_absences_person')
    )
    with op.batch_alter_table('live_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_absences_session_id'), ['session_id'], unique=False)

    op.create_table('live_sessions',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=True),
    sa.Column('phase_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_phase', sa.String(length=20), nullable=True),
    sa.Column('remaining_seconds', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('board_token', sa.String(length=64), nullable=False),
    sa.Column('board_locale', sa.String(length=16), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_live_sessions_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_live_sessions')),
    sa.UniqueConstraint('board_token', name=op.f('uq_live_sessions_board_token'))
    )


def downgrade():
    op.drop_table('live_sessions')
    with op.batch_alter_table('live_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_absences_session_id'))

    op.drop_table('live_absences')

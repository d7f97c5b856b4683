"""seating needs and rotation pairs

Revision ID: 01a819aa500e
Revises: 7bb6c8634056
Create Date: 2026-12-01 12:52:56.485127

"""
import warnings

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '01a819aa500e'
down_revision = '7bb6c8634056'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 17): organisers' seating rules for the rotation planner.
    # rotation_pairs: two people kept apart or together, stored once with the lower user id
    # first (so one pair cannot be both); seating_needs: someone who keeps one table in every
    # round, asked by themself or marked by an organiser (asked_by_id). Both go with their
    # session (ON DELETE CASCADE). Someone who stays sits at the same table in every round, so
    # rotation_assignments loses uq_rotation_assignments_once (plan, user, table); the seat
    # constraint (plan, round, user) stays. On SQLite dropping it rebuilds that table (batch).
    op.create_table('rotation_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('first_user_id', sa.Integer(), nullable=False),
    sa.Column('second_user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('apart', 'together')", name=op.f('ck_rotation_pairs_kind')),
    sa.CheckConstraint('first_user_id < second_user_id', name=op.f('ck_rotation_pairs_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rotation_pairs_created_by_id_users')),
    sa.ForeignKeyConstraint(['first_user_id'], ['users.id'], name=op.f('fk_rotation_pairs_first_user_id_users')),
    sa.ForeignKeyConstraint(['second_user_id'], ['users.id'], name=op.f('fk_rotation_pairs_second_user_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_rotation_pairs_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_pairs')),
    sa.UniqueConstraint('session_id', 'first_user_id', 'second_user_id', name='uq_rotation_pairs_pair')
    )
    with op.batch_alter_table('rotation_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_pairs_session_id'), ['session_id'], unique=False)

    op.create_table('seating_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_seating_needs_asked_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_seating_needs_session_id_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_seating_needs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_needs')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_seating_needs_person')
    )
    with op.batch_alter_table('seating_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_needs_session_id'), ['session_id'], unique=False)

    # The SQLite rebuild reflects the tables rotation_assignments refers to, users among them,
    # whose lower(email) index SQLAlchemy cannot reflect (and need not: users is not rebuilt).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('rotation_assignments', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('uq_rotation_assignments_once'), type_='unique')



def downgrade():
    # Re-creating uq_rotation_assignments_once fails while a plan seats someone at one table
    # twice (a stayer): delete those plans first.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('rotation_assignments', schema=None) as batch_op:
            batch_op.create_unique_constraint(batch_op.f('uq_rotation_assignments_once'), ['plan_id', 'user_id', 'table_id'])

    with op.batch_alter_table('seating_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_needs_session_id'))

    op.drop_table('seating_needs')
    with op.batch_alter_table('rotation_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_pairs_session_id'))

    op.drop_table('rotation_pairs')

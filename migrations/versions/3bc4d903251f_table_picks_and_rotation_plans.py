"""table picks and rotation plans

Revision ID: 3bc4d903251f
Revises: 995c241c3238
Create Date: 2026-11-24 14:08:26.758900

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3bc4d903251f'
down_revision = '995c241c3238'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: picks, plans and assignments; DateTime columns are UTCDateTime in the models.
    op.create_table('rotation_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('from_round', sa.Integer(), nullable=False),
    sa.Column('stats_json', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rotation_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_rotation_plans_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_plans'))
    )
    with op.batch_alter_table('rotation_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_plans_session_id'), ['session_id'], unique=False)

    op.create_table('rotation_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['rotation_plans.id'], name=op.f('fk_rotation_assignments_plan_id_rotation_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['topic_tables.id'], name=op.f('fk_rotation_assignments_table_id_topic_tables'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_assignments')),
    sa.UniqueConstraint('plan_id', 'round_number', 'user_id', name='uq_rotation_assignments_seat'),
    sa.UniqueConstraint('plan_id', 'user_id', 'table_id', name='uq_rotation_assignments_once')
    )
    with op.batch_alter_table('rotation_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_assignments_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('table_picks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_table_picks_session_id_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['topic_tables.id'], name=op.f('fk_table_picks_table_id_topic_tables'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_table_picks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_picks')),
    sa.UniqueConstraint('session_id', 'user_id', 'rank', name='uq_table_picks_rank'),
    sa.UniqueConstraint('session_id', 'user_id', 'table_id', name='uq_table_picks_table')
    )
    with op.batch_alter_table('table_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_table_picks_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_table_picks_user_id'), ['user_id'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    # Reviewed: picks, plans and assignments; DateTime columns are UTCDateTime in the models.
    with op.batch_alter_table('table_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_picks_user_id'))
        batch_op.drop_index(batch_op.f('ix_table_picks_session_id'))

    op.drop_table('table_picks')
    with op.batch_alter_table('rotation_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_assignments_plan_id'))

    op.drop_table('rotation_assignments')
    with op.batch_alter_table('rotation_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_plans_session_id'))

    op.drop_table('rotation_plans')
    # ### end Alembic commands ###

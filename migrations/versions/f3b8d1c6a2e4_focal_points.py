"""entities' focal points: people who register colleagues of their entity

Revision ID: f3b8d1c6a2e4
Revises: c81e4d2a9f65
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a2e4'
down_revision = 'c81e4d2a9f65'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 21, item 7): a new table only, so no existing row changes and no batch
    # rebuild of ``users`` on SQLite. One row per (entity, person); both foreign keys cascade, so
    # deleting an entity or an account takes its focal-point rows with it; who gave the role
    # becomes NULL if that organiser's account goes. Looked up by person (the index) on every
    # page that asks "may this person act for that one".
    op.create_table(
        'focal_points',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_focal_points_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_focal_points_organisation_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_focal_points_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'user_id', name=op.f('pk_focal_points')),
    )
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focal_points_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focal_points_user_id'))
    op.drop_table('focal_points')

"""retention per event, anonymised accounts

Revision ID: 5d2e8c41b7a3
Revises: 01a819aa500e
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8c41b7a3'
down_revision = '01a819aa500e'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 20, item 4): three nullable-or-defaulted columns, no data rewritten.
    # events.retention_months: every existing event keeps the default 24 months (server default,
    # so old rows are filled on both databases); checked 1..240. events.personal_data_purged_at:
    # when `flask data purge` anonymised the event's participants. users.anonymised_at: when an
    # account's name and address were replaced (deleted by its owner or purged).
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), server_default='24', nullable=False))
        batch_op.add_column(sa.Column('personal_data_purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_events_retention_range'), 'retention_months BETWEEN 1 AND 240')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite's batch rebuild of users cannot carry the expression index (it is not
        # reflected): put it back as the initial migration made it.
        op.execute('CREATE UNIQUE INDEX IF NOT EXISTS uq_users_email_lower ON users (lower(email))')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_retention_range'), type_='check')
        batch_op.drop_column('personal_data_purged_at')
        batch_op.drop_column('retention_months')

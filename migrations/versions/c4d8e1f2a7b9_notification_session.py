"""notifications name their session, so its title reads in the reader's language

Revision ID: c4d8e1f2a7b9
Revises: b9e2d4f6a1c3
Create Date: 2026-12-02 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e1f2a7b9'
down_revision = 'b9e2d4f6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 22, item 2): one nullable column with its foreign key. Existing
    # notifications keep NULL: they show their stored title, as before. Deleting a session sets
    # it back to NULL (the message stays, in its original words). SQLite cannot add a foreign
    # key to an existing table, so the batch copies ``notifications`` (small: the last messages
    # of each person); PostgreSQL adds the column and the constraint in place.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_notifications_session_id_event_sessions',
            'event_sessions',
            ['session_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notifications_session_id_event_sessions', type_='foreignkey')
        batch_op.drop_column('session_id')

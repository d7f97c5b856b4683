"""agenda item notes for the report draft

Revision ID: 7d1e2f9a4c3b
Revises: 31c1bd5d3bd7
Create Date: 2026-12-01 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d1e2f9a4c3b'
down_revision = '31c1bd5d3bd7'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: agenda_items.notes (the organiser's notes per item, for the report draft), empty
    # for every existing item; plain ADD COLUMN with a server default (no batch rebuild on SQLite).
    op.add_column(
        'agenda_items',
        sa.Column('notes', sa.Text(), server_default='', nullable=False),
    )


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): no batch rebuild.
    op.drop_column('agenda_items', 'notes')

"""entities' official names in the six languages, and their group in report lists

Revision ID: c81e4d2a9f65
Revises: a7d3e5f1c2b8
Create Date: 2026-12-01 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c81e4d2a9f65'
down_revision = 'a7d3e5f1c2b8'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed (issue 22, item 3): full_name stays the English official name; the other five
    # languages' official names go in one JSON column, {} for every existing entity (reports then
    # name it in English). report_group 0 for all keeps today's alphabetical order. Plain ADD
    # COLUMN with constant defaults: no batch rebuild on SQLite, no table rewrite on PostgreSQL.
    op.add_column(
        'organisations',
        sa.Column('names', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )
    op.add_column(
        'organisations',
        sa.Column('report_group', sa.SmallInteger(), server_default='0', nullable=False),
    )


def downgrade():
    op.drop_column('organisations', 'report_group')
    op.drop_column('organisations', 'names')

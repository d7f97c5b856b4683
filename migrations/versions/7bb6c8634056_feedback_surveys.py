"""feedback surveys

Revision ID: 7bb6c8634056
Revises: c3e1a7f09d42
Create Date: 2026-12-01 12:52:17.553386

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7bb6c8634056'
down_revision = 'c3e1a7f09d42'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: six new tables for feedback surveys (issue 20, item 3); nothing existing changes.
    # feedback_surveys: one per session (anonymous by default); feedback_questions: ordered;
    # feedback_invites: who was sent it and whether they answered (no time of answering);
    # feedback_responses: user and time only in named surveys; feedback_answers: a rating, a
    # choice's index or a text of one response; feedback_table_tallies: an anonymous survey's
    # table ratings as counts per (question, table, rating), never one row per person.
    op.create_table('feedback_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_feedback_surveys_created_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_feedback_surveys_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_surveys')),
    sa.UniqueConstraint('session_id', name=op.f('uq_feedback_surveys_session_id'))
    )
    op.create_table('feedback_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_surveys.id'], name=op.f('fk_feedback_invites_survey_id_feedback_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_invites_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invites')),
    sa.UniqueConstraint('survey_id', 'user_id', name='uq_feedback_invites_person')
    )
    with op.batch_alter_table('feedback_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invites_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_invites_user_id'), ['user_id'], unique=False)

    op.create_table('feedback_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prompt', sa.String(length=300), nullable=False),
    sa.Column('choices_text', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_surveys.id'], name=op.f('fk_feedback_questions_survey_id_feedback_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_questions'))
    )
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_questions_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_surveys.id'], name=op.f('fk_feedback_responses_survey_id_feedback_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_responses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_responses')),
    sa.UniqueConstraint('survey_id', 'user_id', name='uq_feedback_responses_person')
    )
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_responses_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_responses_user_id'), ['user_id'], unique=False)

    op.create_table('feedback_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('choice', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_answers_rating_range')),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_questions.id'], name=op.f('fk_feedback_answers_question_id_feedback_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['feedback_responses.id'], name=op.f('fk_feedback_answers_response_id_feedback_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_surveys.id'], name=op.f('fk_feedback_answers_survey_id_feedback_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['topic_tables.id'], name=op.f('fk_feedback_answers_table_id_topic_tables'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answers'))
    )
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_answers_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_answers_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_table_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_table_tallies_rating_range')),
    sa.CheckConstraint('count >= 0', name=op.f('ck_feedback_table_tallies_count_not_negative')),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_questions.id'], name=op.f('fk_feedback_table_tallies_question_id_feedback_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_surveys.id'], name=op.f('fk_feedback_table_tallies_survey_id_feedback_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['topic_tables.id'], name=op.f('fk_feedback_table_tallies_table_id_topic_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_table_tallies')),
    sa.UniqueConstraint('question_id', 'table_id', 'rating', name='uq_feedback_table_tallies_cell')
    )
    with op.batch_alter_table('feedback_table_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_table_tallies_survey_id'), ['survey_id'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback_table_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_table_tallies_survey_id'))

    op.drop_table('feedback_table_tallies')
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_answers_survey_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_answers_question_id'))

    op.drop_table('feedback_answers')
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_responses_user_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_responses_survey_id'))

    op.drop_table('feedback_responses')
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_questions_survey_id'))

    op.drop_table('feedback_questions')
    with op.batch_alter_table('feedback_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invites_user_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_invites_survey_id'))

    op.drop_table('feedback_invites')
    op.drop_table('feedback_surveys')

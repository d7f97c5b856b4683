"""Named reads of feedback surveys: the editor's state, who is asked, the respondent's page and
the results the session report shows.

Who came is asked of ``checkin.queries.presence_for_sessions``, as the reports count it: a
training day's parts are attended through the day, and in speed networking a person present in
at least one round came. Each read loads what it needs in a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.i18n import content
from meetingapp.models import (
    EventSession,
    FeedbackAnswer,
    FeedbackInvite,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackSurvey,
    FeedbackTableTally,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.event import visible_session
from meetingapp.rotation.queries import latest_plan


def survey_session(session_id: int, viewer) -> EventSession:
    """The session a survey belongs to: one that takes registrations; a training day's part
    is surveyed through its day (as it is checked in and reported)."""
    session = visible_session(session_id, viewer)
    if session.parent_id is not None:
        session = session.parent
    if not session.registrable:
        raise NotFound(_("There is no feedback survey for this part of the programme."))
    return session


def survey_of(session_id: int, *, for_update: bool = False) -> FeedbackSurvey | None:
    stmt = select(FeedbackSurvey).where(FeedbackSurvey.session_id == session_id)
    if for_update:
        stmt = stmt.with_for_update()  # SQLite: the unit's BEGIN IMMEDIATE serialises instead
    return db.session.scalar(stmt.options(selectinload(FeedbackSurvey.questions)))


def present_user_ids(session: EventSession) -> set[int]:
    """Everyone checked in to the session (in any round), as the reports count attendance."""
    return {p.user_id for p in presence_for_sessions([session.id])[session.id]}


def invited_user_ids(survey_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(FeedbackInvite.user_id).where(FeedbackInvite.survey_id == survey_id)
        )
    )


def unanswered_invites(survey_id: int) -> list[FeedbackInvite]:
    return list(
        db.session.scalars(
            select(FeedbackInvite)
            .where(FeedbackInvite.survey_id == survey_id, FeedbackInvite.answered.is_(False))
            .order_by(FeedbackInvite.id)
        )
    )


def answered_count(survey_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(FeedbackInvite)
        .where(FeedbackInvite.survey_id == survey_id, FeedbackInvite.answered.is_(True))
    )


def invite_of(survey_id: int, user_id: int) -> FeedbackInvite | None:
    return db.session.scalar(
        select(FeedbackInvite).where(
            FeedbackInvite.survey_id == survey_id, FeedbackInvite.user_id == user_id
        )
    )


def people(user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(user_ids)).order_by(func.lower(User.name), User.id)
        )
    )


# --- the editor ------------------------------------------------------------------------------


@dataclass
class EditorState:
    session: EventSession
    survey: FeedbackSurvey | None
    present: int  # checked in
    invited: int  # sent the survey
    answered: int
    to_send: int  # checked in, not sent it yet
    to_remind: int  # sent it, not answered, no reminder yet

    @property
    def locked(self) -> bool:
        return self.answered > 0

    @property
    def rate(self) -> float | None:
        return rules.response_rate(self.answered, self.invited)


def editor_state(session: EventSession) -> EditorState:
    survey = survey_of(session.id)
    present = present_user_ids(session)
    invited = invited_user_ids(survey.id) if survey else set()
    answered = answered_count(survey.id) if survey else 0
    remind = 0
    if survey is not None and survey.sent_at is not None and survey.reminded_at is None:
        remind = len(invited) - answered
    return EditorState(
        session, survey, len(present), len(invited), answered, len(present - invited), remind
    )


def table_tallies(survey_id: int) -> dict[tuple[int, int, int], FeedbackTableTally]:
    """An anonymous survey's table-rating counts by (question, table, rating)."""
    return {
        (t.question_id, t.table_id, t.rating): t
        for t in db.session.scalars(
            select(FeedbackTableTally).where(FeedbackTableTally.survey_id == survey_id)
        )
    }


# --- the respondent's page -------------------------------------------------------------------


def question_rules(survey: FeedbackSurvey) -> list[rules.Question]:
    return [rules.Question(q.id, q.kind, q.prompt, q.choices, q.required) for q in survey.questions]


def visited_tables(session: EventSession, user_id: int) -> list[rules.Table]:
    """The tables the person sat at in the published rotation, in the rounds they were checked
    in to, in round order (each table once)."""
    if session.kind != SessionKind.SPEED_NETWORKING:
        return []
    plan = latest_plan(session.id, published_only=True)
    if plan is None:
        return []
    rounds = {
        p.round_number
        for p in presence_for_sessions([session.id])[session.id]
        if p.user_id == user_id and p.round_number is not None
    }
    tables = {t.id: t for t in session.tables}
    seen: dict[int, rules.Table] = {}
    for a in sorted(plan.assignments, key=lambda a: a.round_number):
        if a.user_id == user_id and a.round_number in rounds and a.table_id in tables:
            t = tables[a.table_id]
            seen.setdefault(t.id, rules.Table(t.id, t.code, content(t)))
    return list(seen.values())


def own_answers(survey: FeedbackSurvey, user_id: int) -> list[FeedbackAnswer]:
    """A named survey's answers of one person (an anonymous survey keeps none by person)."""
    if survey.anonymous:
        return []
    return list(
        db.session.scalars(
            select(FeedbackAnswer)
            .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
            .where(FeedbackResponse.survey_id == survey.id, FeedbackResponse.user_id == user_id)
            .order_by(FeedbackAnswer.id)
        )
    )


# --- results for the report ------------------------------------------------------------------


@dataclass
class TableResult:
    code: str
    topic: str
    distribution: rules.Distribution


@dataclass
class TextAnswer:
    text: str
    name: str = ""  # named surveys only


@dataclass
class QuestionResult:
    question: FeedbackQuestion
    distribution: rules.Distribution | None = None  # ratings and choices
    texts: list[TextAnswer] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)

    @property
    def answers(self) -> int:
        if self.distribution is not None:
            return self.distribution.answers
        if self.question.kind == rules.TEXT:
            return len(self.texts)
        return sum(t.distribution.answers for t in self.tables)


@dataclass
class ResponseRow:
    """One respondent's answers for the export, by question id (tables: by (question, table))."""

    number: int
    name: str
    email: str
    submitted_at: datetime | None
    values: dict[object, str] = field(default_factory=dict)


@dataclass
class Results:
    session: EventSession
    survey: FeedbackSurvey
    present: int
    invited: int
    answered: int
    questions: list[QuestionResult]
    responses: list[ResponseRow]
    tables: list[TopicTable]

    @property
    def rate(self) -> float | None:
        return rules.response_rate(self.answered, self.invited)


def survey_results(session: EventSession) -> Results | None:
    """The survey's response rate, each question's distribution, average or texts, and one row
    per response: a fixed number of statements whatever the number of answers."""
    survey = survey_of(session.id)
    if survey is None:
        return None
    present = present_user_ids(session)
    invited = invited_user_ids(survey.id)
    answered = answered_count(survey.id)
    rows = db.session.execute(
        select(
            FeedbackAnswer.question_id,
            FeedbackAnswer.response_id,
            FeedbackAnswer.table_id,
            FeedbackAnswer.rating,
            FeedbackAnswer.choice,
            FeedbackAnswer.text,
        )
        .where(FeedbackAnswer.survey_id == survey.id)
        .order_by(FeedbackAnswer.id)
    ).all()
    responses = _responses(survey)
    by_question: dict[int, list] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    tables = {t.id: t for t in session.tables}
    counts: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    if any(q.kind == rules.TABLES for q in survey.questions):
        for (question_id, table_id, rating), cell in table_tallies(survey.id).items():
            if cell.count:
                counts[question_id][table_id][rating] = cell.count
    results = [
        _question_result(q, by_question[q.id], responses, tables, counts[q.id])
        for q in survey.questions
    ]
    _fill_rows(survey, rows, responses, tables)
    return Results(
        session,
        survey,
        len(present),
        len(invited),
        answered,
        results,
        list(responses.values()),
        list(session.tables),
    )


def _responses(survey: FeedbackSurvey) -> dict[int, ResponseRow]:
    out: dict[int, ResponseRow] = {}
    stmt = (
        select(FeedbackResponse.id, FeedbackResponse.submitted_at, User.name, User.email)
        .outerjoin(User, User.id == FeedbackResponse.user_id)
        .where(FeedbackResponse.survey_id == survey.id)
        .order_by(FeedbackResponse.id)
    )
    for number, (rid, submitted, name, email) in enumerate(db.session.execute(stmt), start=1):
        out[rid] = ResponseRow(number, name or "", email or "", submitted)
    return out


def _question_result(
    q: FeedbackQuestion, rows: list, responses, tables, tallies: dict[int, dict[int, int]]
) -> QuestionResult:
    result = QuestionResult(q)
    if q.kind == rules.RATING:
        result.distribution = rules.rating_distribution([r.rating for r in rows])
    elif q.kind in (rules.SINGLE, rules.MULTIPLE):
        answered = len({r.response_id for r in rows})
        result.distribution = rules.choice_distribution(
            q.choices, [r.choice for r in rows], answered
        )
    elif q.kind == rules.TEXT:
        result.texts = [
            TextAnswer(r.text, responses[r.response_id].name if r.response_id in responses else "")
            for r in rows
        ]
    elif q.kind == rules.TABLES:
        # Named surveys keep a row per rating, anonymous ones counts (``tallies``).
        ratings: dict[int, dict[int, int]] = defaultdict(dict)
        for table_id, by_rating in tallies.items():
            ratings[table_id].update(by_rating)
        for r in rows:
            if r.table_id is not None:
                ratings[r.table_id][r.rating] = ratings[r.table_id].get(r.rating, 0) + 1
        result.tables = [
            TableResult(t.code, content(t), rules.tally_distribution(ratings[t.id]))
            for t in tables.values()
            if ratings.get(t.id)
        ]
    return result


def _fill_rows(survey: FeedbackSurvey, rows: list, responses, tables) -> None:
    questions = {q.id: q for q in survey.questions}
    for r in rows:
        row = responses.get(r.response_id)
        q = questions.get(r.question_id)
        if row is None or q is None:
            continue  # an anonymous survey's table ratings belong to no response
        if q.kind == rules.TABLES and r.table_id in tables:
            row.values[(q.id, r.table_id)] = str(r.rating)
        elif r.rating is not None:
            row.values[q.id] = str(r.rating)
        elif r.choice is not None and r.choice < len(q.choices):
            before = row.values.get(q.id)
            row.values[q.id] = f"{before}; {q.choices[r.choice]}" if before else q.choices[r.choice]
        elif r.text is not None:
            row.values[q.id] = r.text

"""Feedback surveys: the organiser builds one per session, sends it after the session to the
people checked in, reminds once, may delete it; each person answers once. One unit of work
each.

Editing and answering lock the survey row (``FOR UPDATE`` on PostgreSQL; on SQLite every unit
begins ``BEGIN IMMEDIATE``), so a question cannot be removed while someone's answers to it are
being written: once anyone has answered, the questions and the mode are locked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from meetingapp.accounts.links import feedback_token
from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import Message, _, _n
from meetingapp.domain.timezones import utc_to_local
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.feedback import queries
from meetingapp.mail import service as mail
from meetingapp.models import (
    EventSession,
    FeedbackAnswer,
    FeedbackInvite,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackSurvey,
    FeedbackTableTally,
    SessionKind,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.uow import unit_of_work


class AnswersRefused(ValidationFailed):
    """Some answers are missing or wrong: ``errors`` names each field with its message."""

    code = "invalid"

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(_("Some answers need another look."), field=next(iter(errors), None))
        self.errors = errors


def _organiser(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers build and send feedback surveys."))


def _local(session: EventSession, instant: datetime) -> datetime:
    return utc_to_local(instant, session.event.timezone)


def _survey(session: EventSession, actor: User, now: datetime) -> FeedbackSurvey:
    """The session's survey, locked; a new anonymous one if it has none."""
    survey = queries.survey_of(session.id, for_update=True)
    if survey is None:
        survey = FeedbackSurvey(
            session_id=session.id, anonymous=True, intro="", created_by_id=actor.id, created_at=now
        )
        db.session.add(survey)
        db.session.flush()
    return survey


def _editable(survey: FeedbackSurvey) -> None:
    rules.check_unlocked(queries.answered_count(survey.id))


def save_settings(
    *, session_id: int, anonymous: bool, intro: str, actor: User, now: datetime
) -> FeedbackSurvey:
    """Anonymous or named, and the organiser's word on the page and in the mail. The mode is
    fixed once the survey is sent: people were asked on those terms."""
    _organiser(actor)
    intro = (intro or "").replace("\r\n", "\n").strip()
    if len(intro) > rules.MAX_INTRO:
        raise ValidationFailed(
            _("At most %(count)s characters.", count=rules.MAX_INTRO), field="intro"
        )
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = _survey(session, actor, now)
        if bool(anonymous) != survey.anonymous:
            _editable(survey)
            if survey.sent_at is not None:
                raise rules.SurveyLocked(
                    _("The survey went out as anonymous: that can no longer change.")
                    if survey.anonymous
                    else _("The survey went out with names: that can no longer change.")
                )
            survey.anonymous = bool(anonymous)
        survey.intro = intro
    return survey


def add_question(
    *,
    session_id: int,
    kind: str,
    prompt: str,
    choices_text: str,
    required: bool,
    actor: User,
    now: datetime,
) -> FeedbackQuestion:
    _organiser(actor)
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        data = rules.clean_question(
            kind,
            prompt,
            choices_text,
            required,
            networking=session.kind == SessionKind.SPEED_NETWORKING,
        )
        survey = _survey(session, actor, now)
        _editable(survey)
        rules.check_room(len(survey.questions))
        if data.kind == rules.TABLES and any(q.kind == rules.TABLES for q in survey.questions):
            raise ValidationFailed(
                _("The survey already asks for a rating of each table visited."), field="kind"
            )
        question = FeedbackQuestion(
            survey_id=survey.id,
            position=len(survey.questions),
            kind=data.kind,
            prompt=data.prompt,
            choices_text="\n".join(data.choices),
            required=data.required,
        )
        survey.questions.append(question)
        db.session.flush()
    return question


def _question(survey: FeedbackSurvey | None, question_id: int | None) -> FeedbackQuestion:
    found = next((q for q in survey.questions if q.id == question_id), None) if survey else None
    if found is None:
        raise NotFound(_("There is no such question in this survey."))
    return found


def move_question(
    *, session_id: int, question_id: int | None, direction: str, actor: User, now: datetime
) -> None:
    """One place up or down."""
    _organiser(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Choose up or down."), field="direction")
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = queries.survey_of(session.id, for_update=True)
        question = _question(survey, question_id)
        _editable(survey)
        order = list(survey.questions)
        i = order.index(question)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        for position, q in enumerate(order):
            q.position = position


def remove_question(*, session_id: int, question_id: int | None, actor: User, now: datetime) -> str:
    """Remove a question (before anyone answers); returns its text."""
    _organiser(actor)
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = queries.survey_of(session.id, for_update=True)
        question = _question(survey, question_id)
        _editable(survey)
        prompt = question.prompt
        survey.questions.remove(question)
        for position, q in enumerate(survey.questions):
            q.position = position
    return prompt


# --- sending ---------------------------------------------------------------------------------


def _link(session: EventSession, survey: FeedbackSurvey, user: User, now: datetime) -> str:
    token = feedback_token(current_app.config["SECRET_KEY"], survey.id, user.id, now)
    return mail.public_url(f"/feedback/sessions/{session.id}/answer?k={token}")


def _mail_each(
    session: EventSession,
    survey: FeedbackSurvey,
    people: list[User],
    now: datetime,
    *,
    reminder: bool,
) -> None:
    for person in people:
        mail.feedback_message(
            user=person,
            session=session,
            link=_link(session, survey, person, now),
            questions=len(survey.questions),
            intro=survey.intro,
            reminder=reminder,
            now=now,
            message_id=f"<feedback-{'reminder-' if reminder else ''}{survey.id}-{person.id}"
            "@meetingapp>",
        )


def _check_count(count: int, expected: int, changed: Callable[[int], Message]) -> None:
    if count != expected:
        raise rules.AudienceChanged(changed(count))


def send_survey(*, session_id: int, expected: int, actor: User, now: datetime) -> int:
    """Send the survey to everyone checked in who has not been sent it yet (everyone, the first
    time); ``expected`` is the number the confirmation page showed. Returns how many."""
    _organiser(actor)
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = queries.survey_of(session.id, for_update=True)
        if survey is None:
            raise rules.SurveyNotReady(_("Add at least one question before sending the survey."))
        rules.check_sendable(
            questions=len(survey.questions),
            cancelled=session.is_cancelled,
            ends_at=session.ends_at,
            now=now,
            ends_local=_local(session, session.ends_at),
        )
        new = queries.present_user_ids(session) - queries.invited_user_ids(survey.id)
        if not new:
            raise rules.NothingToSend(_("Everyone checked in has been sent the survey already."))
        _check_count(
            len(new),
            expected,
            lambda n: _n(
                "Check-ins changed since you looked: %(num)d person is to be sent the survey "
                "now. Look again before sending.",
                "Check-ins changed since you looked: %(num)d people are to be sent the survey "
                "now. Look again before sending.",
                n,
            ),
        )
        people = queries.people(new)
        for person in people:
            db.session.add(FeedbackInvite(survey_id=survey.id, user_id=person.id, sent_at=now))
        _mail_each(session, survey, people, now, reminder=False)
        survey.sent_at = survey.sent_at or now
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="feedback survey sent",
            target=session.title,
            detail=f"to {len(people)} people checked in"
            + (" (anonymous)" if survey.anonymous else " (named)"),
        )
    return len(people)


def send_reminder(*, session_id: int, expected: int, actor: User, now: datetime) -> int:
    """The one reminder, to those sent the survey who have not answered. Returns how many."""
    _organiser(actor)
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = queries.survey_of(session.id, for_update=True)
        if survey is None:
            raise rules.SurveyNotReady(_("Send the survey before reminding anyone."))
        rules.check_reminder(
            survey.sent_at, _local(session, survey.reminded_at) if survey.reminded_at else None
        )
        invites = queries.unanswered_invites(survey.id)
        if not invites:
            raise rules.NothingToSend(
                _("Everyone who was sent the survey has answered: nobody to remind.")
            )
        _check_count(
            len(invites),
            expected,
            lambda n: _n(
                "Answers came in since you looked: %(num)d person is to be reminded now. "
                "Look again before sending.",
                "Answers came in since you looked: %(num)d people are to be reminded now. "
                "Look again before sending.",
                n,
            ),
        )
        people = queries.people({i.user_id for i in invites})
        _mail_each(session, survey, people, now, reminder=True)
        for invite in invites:
            invite.reminded_at = now
        survey.reminded_at = now
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="feedback reminder sent",
            target=session.title,
            detail=f"to {len(people)} people who had not answered",
        )
    return len(people)


# --- answering -------------------------------------------------------------------------------


def submit_answers(
    *,
    session_id: int,
    respondent: User,
    values: Callable[[str], list[str]],
    now: datetime,
) -> None:
    """Store one person's answers, once. In an anonymous survey the response holds neither the
    user nor the time, table ratings are kept apart from it, and only the invitation says that
    this person has answered."""
    with unit_of_work():
        session = queries.survey_session(session_id, respondent)
        survey = queries.survey_of(session.id, for_update=True)
        if survey is None or survey.sent_at is None:
            raise NotFound(_("There is no feedback survey for this session yet."))
        invite = queries.invite_of(survey.id, respondent.id)
        if invite is None:
            raise rules.NotInvited(
                _("This survey is for the people who were checked in to the session.")
            )
        tables = queries.visited_tables(session, respondent.id)
        read = rules.read_answers(queries.question_rules(survey), values, tables)
        if read.errors:
            raise AnswersRefused(read.errors)
        # Conditional: of two submissions at once, one finds the invitation still unanswered.
        marked = db.session.execute(
            update(FeedbackInvite)
            .where(FeedbackInvite.id == invite.id, FeedbackInvite.answered.is_(False))
            .values(answered=True)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            raise rules.AlreadyAnswered(_("You have answered this survey already: thank you."))
        response = FeedbackResponse(
            survey_id=survey.id,
            user_id=None if survey.anonymous else respondent.id,
            submitted_at=None if survey.anonymous else now,
        )
        db.session.add(response)
        db.session.flush()
        counted = [a for a in read.answers if survey.anonymous and a.table_id is not None]
        if counted:
            _count_table_ratings(session, survey, counted)
        for a in read.answers:
            if survey.anonymous and a.table_id is not None:
                continue  # counted above
            db.session.add(
                FeedbackAnswer(
                    survey_id=survey.id,
                    response_id=response.id,
                    question_id=a.question_id,
                    table_id=a.table_id,
                    rating=a.rating,
                    choice=a.choice,
                    text=a.text,
                )
            )


def _count_table_ratings(
    session: EventSession, survey: FeedbackSurvey, answers: list[rules.Answer]
) -> None:
    """An anonymous survey's table ratings, added to the counts. The cells of every table of
    the session are made together, before anyone's first count, so that neither their ids nor
    their order say which tables the first respondent rated. The survey row is locked."""
    cells = queries.table_tallies(survey.id)
    for question_id in sorted({a.question_id for a in answers}):
        for table in sorted(session.tables, key=lambda t: t.id):
            for rating in rules.RATINGS:
                if (question_id, table.id, rating) not in cells:
                    cell = FeedbackTableTally(
                        survey_id=survey.id,
                        question_id=question_id,
                        table_id=table.id,
                        rating=rating,
                        count=0,
                    )
                    db.session.add(cell)
                    cells[(question_id, table.id, rating)] = cell
    for a in answers:
        cells[(a.question_id, a.table_id, a.rating)].count += 1


# --- deleting --------------------------------------------------------------------------------


def delete_survey(*, session_id: int, actor: User, now: datetime) -> int:
    """Delete the session's survey with its questions, invitations and answers (the page asks
    first); the links already mailed stop working. Returns how many people had answered."""
    _organiser(actor)
    with unit_of_work():
        session = queries.survey_session(session_id, actor)
        survey = queries.survey_of(session.id, for_update=True)
        if survey is None:
            raise NotFound(_("There is no feedback survey for this session."))
        answered = queries.answered_count(survey.id)
        invited = len(queries.invited_user_ids(survey.id))
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="feedback survey deleted",
            target=session.title,
            detail=f"{len(survey.questions)} questions, sent to {invited}, "
            f"{answered} answers deleted",
        )
        db.session.delete(survey)  # the database deletes what hangs off it (ON DELETE CASCADE)
    return answered

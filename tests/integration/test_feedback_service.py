"""Feedback surveys end to end: built, sent after the session to those checked in (through a
real SMTP server), answered once from the mailed link, reminded once, shown in the results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select

from meetingapp.checkin.service import check_in
from meetingapp.demo.today import TODAY_TITLE
from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.extensions import db
from meetingapp.feedback import queries, service
from meetingapp.mail.delivery import deliver_due
from meetingapp.models import (
    DeliveryAttempt,
    Event,
    EventSession,
    FeedbackAnswer,
    FeedbackInvite,
    FeedbackResponse,
    FeedbackSurvey,
    FeedbackTableTally,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    SessionKind,
    User,
)
from meetingapp.models.user import user_by_email
from meetingapp.registration.service import register_participant
from tests import factories
from tests.smtp import smtp_server

STARTS = datetime(2024, 10, 28, 13, 30, tzinfo=UTC)
AFTER = STARTS + timedelta(days=1)


def _values(form: dict):
    """A form's values as ``request.form.getlist`` gives them."""
    return lambda name: (
        [str(v) for v in (form.get(name) or [])]
        if isinstance(form.get(name), list)
        else ([str(form[name])] if name in form else [])
    )


def _build(session_id: int, actor: User, *, anonymous: bool = True) -> list[int]:
    """Four questions: a required rating, a choice, several choices, free text."""
    service.save_settings(
        session_id=session_id, anonymous=anonymous, intro="", actor=actor, now=AFTER
    )
    specs = [
        (rules.RATING, "How useful was the day?", "", True),
        (rules.SINGLE, "Would you come again?", "Yes\nNo\nPerhaps", False),
        (rules.MULTIPLE, "Which tools will you use?", "Worldview\nFIRMS\nGiovanni", False),
        (rules.TEXT, "What should change?", "", False),
    ]
    return [
        service.add_question(
            session_id=session_id,
            kind=kind,
            prompt=prompt,
            choices_text=choices,
            required=required,
            actor=actor,
            now=AFTER,
        ).id
        for kind, prompt, choices, required in specs
    ]


@pytest.fixture
def small(app):
    """A meeting with three confirmed people, two of them checked in, and an organiser."""
    organiser = factories.organiser()
    session = factories.session(title="EO briefing", starts_at=STARTS, minutes=120)
    people = [factories.user(f"p{i}@example.org", name=f"Person {i}") for i in range(3)]
    db.session.commit()
    for person in people:
        register_participant(user=person, session_id=session.id, now=STARTS - timedelta(days=3))
    for person in people[:2]:
        check_in(
            session_id=session.id,
            user_id=person.id,
            actor=organiser,
            now=STARTS + timedelta(minutes=5),
            enforce_day=False,
        )
    return session.id, organiser, people


# --- the demo's 2024 training day, through a real SMTP server ---------------------------------


def _first_2024(kind: SessionKind) -> EventSession:
    """The demo's 2024 session of this kind (not an upcoming edition, not today's)."""
    return db.session.scalar(
        select(EventSession)
        .join(Event)
        .where(EventSession.kind == kind, Event.title != TODAY_TITLE)
        .order_by(EventSession.starts_at)
    )


@pytest.mark.demo
def test_survey_after_the_2024_training_day_reaches_only_the_21_trainees_checked_in(
    app, client, clock
):
    organiser = user_by_email("organiser@example.org")
    day = _first_2024(SessionKind.TRAINING)
    day_id, ends = day.id, day.ends_at
    assert day.starts_at.year == 2024
    clock.set(ends + timedelta(hours=1))  # the mailed link is read the hour it was sent
    registered = {
        r.user.email: r.status
        for r in db.session.scalars(select(Registration).where(Registration.session_id == day_id))
    }
    assert len(registered) == 25  # 21 confirmed and checked in, 4 on the waitlist
    db.session.execute(delete(DeliveryAttempt))
    db.session.execute(delete(OutboxMessage))  # the demo's own mail is not this test's
    db.session.commit()
    questions = _build(day_id, organiser)
    with smtp_server() as inbox:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
        sent = service.send_survey(
            session_id=day_id, expected=21, actor=organiser, now=ends + timedelta(hours=1)
        )
        report = deliver_due(ends + timedelta(hours=1))
        messages = inbox.wait_for(21)
    assert sent == 21 and report.sent == 21 and len(messages) == 21
    to = sorted(m["To"].addresses[0].addr_spec for m in messages)
    assert to == [f"participant{n:02d}@example.org" for n in range(1, 22)]
    assert all(registered[a] == RegistrationStatus.CONFIRMED for a in to)
    waitlisted = [a for a, s in registered.items() if s == RegistrationStatus.WAITLISTED]
    assert len(waitlisted) == 4 and not set(waitlisted) & set(to)
    assert {m["Subject"] for m in messages} == {f"Your feedback on {day.title}"}

    # participant01 answers from the link in the mail, without logging in.
    mail = next(m for m in messages if "participant01@" in m["To"])
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http\S+/feedback/sessions/\d+/answer\?k=\S+", text).group(0)
    path = urlsplit(link).path + "?" + urlsplit(link).query
    page = client.get(path)
    assert page.status_code == 200 and "This survey is anonymous" in page.get_data(as_text=True)
    rating, choice, several, free = questions
    answered = client.post(
        path,
        data={
            f"q{rating}": "4",
            f"q{choice}": "0",
            f"q{several}": ["0", "2"],
            f"q{free}": "More time for Giovanni, please.",
        },
    )
    assert answered.status_code == 303
    assert "your answers are in" in client.get(path).get_data(as_text=True)

    # Anonymous: the response holds no user and no time; who answered is in the invitations.
    response = db.session.scalar(select(FeedbackResponse))
    assert response.user_id is None and response.submitted_at is None
    owner = user_by_email("participant01@example.org").id
    invite = db.session.scalar(select(FeedbackInvite).where(FeedbackInvite.user_id == owner))
    assert invite.answered
    assert db.session.scalar(select(func.count(FeedbackResponse.user_id))) == 0

    # The organiser's report shows the answers.
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": "organiser@example.org", "password": "demo-password"})
    html = client.get(f"/reports/sessions/{day_id}").get_data(as_text=True)
    assert "Feedback from those who came" in html
    assert "More time for Giovanni, please." in html
    assert "average 4.0 of 5" in html
    assert re.search(r"Response rate</dt><dd>4.8 %", html)


# --- sending ------------------------------------------------------------------------------------


def test_sending_waits_for_the_end_of_the_session_and_for_a_question(small):
    session_id, organiser, _people = small
    service.save_settings(
        session_id=session_id, anonymous=True, intro="", actor=organiser, now=AFTER
    )
    with pytest.raises(rules.SurveyNotReady, match="at least one question"):
        service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    _build(session_id, organiser)
    with pytest.raises(rules.SurveyNotReady, match="after the session"):
        service.send_survey(
            session_id=session_id, expected=2, actor=organiser, now=STARTS + timedelta(hours=1)
        )


def test_sending_asks_for_the_count_it_showed_and_later_goes_to_newcomers_only(small):
    session_id, organiser, people = small
    _build(session_id, organiser)
    with pytest.raises(rules.AudienceChanged, match="2 people"):
        service.send_survey(session_id=session_id, expected=3, actor=organiser, now=AFTER)
    assert service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER) == 2
    with pytest.raises(rules.NothingToSend):
        service.send_survey(session_id=session_id, expected=0, actor=organiser, now=AFTER)
    check_in(
        session_id=session_id,
        user_id=people[2].id,
        actor=organiser,
        now=STARTS + timedelta(minutes=30),
        enforce_day=False,
    )
    assert service.send_survey(session_id=session_id, expected=1, actor=organiser, now=AFTER) == 1
    kinds = db.session.scalars(select(OutboxMessage.to_address).order_by(OutboxMessage.id)).all()
    feedback = [a for a in kinds if a.startswith("p")]
    assert sorted(feedback[-3:]) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_only_organisers_build_and_send(small):
    session_id, _organiser, people = small
    with pytest.raises(PermissionDenied):
        _build(session_id, people[0])


def test_one_reminder_to_those_who_have_not_answered(small):
    session_id, organiser, people = small
    rating, *_ = _build(session_id, organiser)
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    service.submit_answers(
        session_id=session_id, respondent=people[0], values=_values({f"q{rating}": 5}), now=AFTER
    )
    with pytest.raises(rules.AudienceChanged):
        service.send_reminder(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    assert service.send_reminder(session_id=session_id, expected=1, actor=organiser, now=AFTER) == 1
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "feedback_reminder")
    ).all()
    assert [m.to_address for m in reminders] == ["p1@example.org"]
    with pytest.raises(rules.ReminderSent, match="one reminder only"):
        service.send_reminder(session_id=session_id, expected=1, actor=organiser, now=AFTER)


# --- answering ----------------------------------------------------------------------------------


def test_each_person_answers_once_and_only_if_sent_the_survey(small):
    session_id, organiser, people = small
    rating, *_ = _build(session_id, organiser)
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    answer = _values({f"q{rating}": 3})
    service.submit_answers(session_id=session_id, respondent=people[0], values=answer, now=AFTER)
    with pytest.raises(rules.AlreadyAnswered):
        service.submit_answers(
            session_id=session_id, respondent=people[0], values=answer, now=AFTER
        )
    with pytest.raises(rules.NotInvited):  # registered, never checked in
        service.submit_answers(
            session_id=session_id, respondent=people[2], values=answer, now=AFTER
        )
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 1


def test_required_and_out_of_range_answers_are_refused_and_nothing_is_kept(small):
    session_id, organiser, people = small
    rating, choice, several, _free = _build(session_id, organiser)
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    with pytest.raises(service.AnswersRefused) as refused:
        service.submit_answers(
            session_id=session_id,
            respondent=people[0],
            values=_values({f"q{choice}": 7, f"q{several}": ["0", "x"]}),
            now=AFTER,
        )
    assert set(refused.value.errors) == {f"q{rating}", f"q{choice}", f"q{several}"}
    assert not queries.invite_of(queries.survey_of(session_id).id, people[0].id).answered
    assert db.session.scalar(select(func.count()).select_from(FeedbackAnswer)) == 0


def test_a_named_survey_keeps_who_answered_what(small):
    session_id, organiser, people = small
    rating, *_ = _build(session_id, organiser, anonymous=False)
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    service.submit_answers(
        session_id=session_id, respondent=people[1], values=_values({f"q{rating}": 2}), now=AFTER
    )
    response = db.session.scalar(select(FeedbackResponse))
    assert response.user_id == people[1].id and response.submitted_at is not None
    survey = queries.survey_of(session_id)
    assert [a.rating for a in queries.own_answers(survey, people[1].id)] == [2]
    assert queries.own_answers(survey, people[0].id) == []


# --- editing ------------------------------------------------------------------------------------


def test_questions_and_mode_lock_once_someone_has_answered(small):
    session_id, organiser, people = small
    rating, choice, *_ = _build(session_id, organiser)
    service.move_question(
        session_id=session_id, question_id=choice, direction="up", actor=organiser, now=AFTER
    )
    assert [q.id for q in queries.survey_of(session_id).questions][:2] == [choice, rating]
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    with pytest.raises(rules.SurveyLocked, match="went out as anonymous"):
        service.save_settings(
            session_id=session_id, anonymous=False, intro="", actor=organiser, now=AFTER
        )
    service.remove_question(session_id=session_id, question_id=choice, actor=organiser, now=AFTER)
    service.submit_answers(
        session_id=session_id, respondent=people[0], values=_values({f"q{rating}": 4}), now=AFTER
    )
    for change in (
        lambda: service.remove_question(
            session_id=session_id, question_id=rating, actor=organiser, now=AFTER
        ),
        lambda: service.move_question(
            session_id=session_id, question_id=rating, direction="down", actor=organiser, now=AFTER
        ),
        lambda: service.add_question(
            session_id=session_id,
            kind=rules.RATING,
            prompt="Late question",
            choices_text="",
            required=False,
            actor=organiser,
            now=AFTER,
        ),
    ):
        with pytest.raises(rules.SurveyLocked, match="People have answered this survey already"):
            change()
    assert len(queries.survey_of(session_id).questions) == 3


def test_deleting_a_survey_takes_its_answers_and_invitations_and_kills_the_links(small):
    session_id, organiser, people = small
    rating, *_ = _build(session_id, organiser)
    service.send_survey(session_id=session_id, expected=2, actor=organiser, now=AFTER)
    service.submit_answers(
        session_id=session_id, respondent=people[0], values=_values({f"q{rating}": 4}), now=AFTER
    )
    with pytest.raises(PermissionDenied):
        service.delete_survey(session_id=session_id, actor=people[0], now=AFTER)
    assert service.delete_survey(session_id=session_id, actor=organiser, now=AFTER) == 1
    for model in (FeedbackSurvey, FeedbackInvite, FeedbackResponse, FeedbackAnswer):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    with pytest.raises(NotFound):  # the mailed links name a survey that is gone
        service.submit_answers(
            session_id=session_id,
            respondent=people[1],
            values=_values({f"q{rating}": 4}),
            now=AFTER,
        )


def test_question_rules(small):
    session_id, organiser, _people = small
    with pytest.raises(ValidationFailed, match="at least two choices"):
        service.add_question(
            session_id=session_id,
            kind=rules.SINGLE,
            prompt="One?",
            choices_text="Only one",
            required=False,
            actor=organiser,
            now=AFTER,
        )
    with pytest.raises(ValidationFailed, match="speed-networking sessions only"):
        service.add_question(
            session_id=session_id,
            kind=rules.TABLES,
            prompt="Tables?",
            choices_text="",
            required=False,
            actor=organiser,
            now=AFTER,
        )
    with pytest.raises(NotFound):
        service.remove_question(session_id=session_id, question_id=999, actor=organiser, now=AFTER)


# --- speed networking: one rating per table visited --------------------------------------------


@pytest.mark.demo
def test_speed_networking_rates_the_tables_each_person_sat_at_and_keeps_them_apart(app):
    organiser = user_by_email("organiser@example.org")
    speed = _first_2024(SessionKind.SPEED_NETWORKING)
    speed_id, ends = speed.id, speed.ends_at
    assert speed.starts_at.year == 2024
    tables_q = service.add_question(
        session_id=speed_id,
        kind=rules.TABLES,
        prompt="How was each table?",
        choices_text="",
        required=True,
        actor=organiser,
        now=ends,
    ).id
    present = queries.present_user_ids(speed)
    assert service.send_survey(
        session_id=speed_id, expected=len(present), actor=organiser, now=ends
    ) == len(present)
    left_early = user_by_email("participant44@example.org")  # not checked in to the last round
    visited = queries.visited_tables(speed, left_early.id)
    assert len(visited) == 3
    everyone = queries.visited_tables(speed, user_by_email("participant01@example.org").id)
    assert len(everyone) == 4
    with pytest.raises(service.AnswersRefused) as refused:
        service.submit_answers(
            session_id=speed_id,
            respondent=left_early,
            values=_values({f"q{tables_q}-t{visited[0].id}": 5}),
            now=ends,
        )
    assert len(refused.value.errors) == 2  # each table of a required rating
    form = {f"q{tables_q}-t{t.id}": 5 - i for i, t in enumerate(visited)}
    service.submit_answers(
        session_id=speed_id, respondent=left_early, values=_values(form), now=ends
    )
    # No row per rating: counts per table and rating, every cell of every table made at once.
    assert db.session.scalar(select(func.count()).select_from(FeedbackAnswer)) == 0
    cells = db.session.scalars(select(FeedbackTableTally).order_by(FeedbackTableTally.id)).all()
    assert len(cells) == 5 * len(speed.tables)
    assert [(c.table_id, c.rating) for c in cells] == sorted((c.table_id, c.rating) for c in cells)
    assert sorted(c.rating for c in cells for _ in range(c.count)) == [3, 4, 5]
    results = queries.survey_results(speed)
    by_code = {t.code: t.distribution.average for t in results.questions[0].tables}
    assert by_code == {t.code: 5 - i for i, t in enumerate(visited)}

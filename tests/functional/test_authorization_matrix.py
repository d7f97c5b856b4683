"""Who may use which route: every rule of ``app.url_map`` × method × role, against a table.

Every endpoint is classified in ``ACCESS`` (its text arguments in ``TEXT_ARGS``, its ids in the
``demo`` fixture); a route the table does not classify fails the test, so each new route gets
reviewed here. Each (rule, method) is requested by five roles, once with ids of the demo's rows
(participant01's registration, token and feed, the 2024 speed dating, host-a's table a) and once
with unknown ids. The routes under /api/v1 belong to the API's own tests: here they are only held
to "no 5xx". The tests after the matrix check what participants see of each other's data.
"""

from __future__ import annotations

import contextvars
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from meetingapp import create_app
from meetingapp.api import tokens as api_tokens
from meetingapp.calendar.service import feed_token
from meetingapp.checkin.qr import qr_code_for
from meetingapp.extensions import db
from meetingapp.feedback import queries as feedback_queries
from meetingapp.feedback import service as feedback
from meetingapp.live import service as live_service
from meetingapp.models import (
    CheckIn,
    Event,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    User,
)
from meetingapp.models.user import user_by_email
from meetingapp.rotation.queries import latest_plan
from tests.conftest import make_config
from tests.text import page_text

pytestmark = pytest.mark.demo

ANONYMOUS = "anonymous"
OWNER = "participant01"
OTHER = "participant02"
HOST = "host-a"
ORGANISER = "organiser"
# Roles that must be refused go first: a change an allowed role makes never hides a refusal.
ROLES = (ANONYMOUS, OTHER, HOST, OWNER, ORGANISER)
EMAILS = {
    OWNER: "participant01@example.org",
    OTHER: "participant02@example.org",
    HOST: "host-a@example.org",
    ORGANISER: "organiser@example.org",
}

# Outcomes. ALLOWED: the view ran — 2xx, a redirect that is not to the log-in page, or the view's
# own refusal of the (empty) input: 400, 409 or 422.
ALLOWED = "allowed"
LOGIN = "302 to log-in"
FORBIDDEN = "403"
NOT_FOUND = "404"
NO_5XX = "no 5xx"

# Access classes.
PUBLIC = "public"  # everyone, anonymous included
SIGNED_IN = "signed in"  # any account, on its own data only; anonymous → log-in
HOSTS = "hosts"  # organisers and the host of the table (or of a table of the session); others 403
ORGANISERS = "organisers"  # organisers only; participants and hosts 403, even for unknown ids
FOCAL = "focal points"  # an entity's focal points; anyone else 403 (no matrix role is one)
API = "api"  # /api/v1: tests/functional/test_api*.py own it; here only "no 5xx"

ACCESS = {
    "healthz": PUBLIC,
    "events.index": PUBLIC,
    "events.event": PUBLIC,
    "auth.login": PUBLIC,
    "auth.signup": PUBLIC,
    "auth.language": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,  # the signed token in the URL is the credential
    "auth.confirm_email": PUBLIC,  # the signed token in the URL is the credential
    "calendar.event": PUBLIC,
    "calendar.session": PUBLIC,
    "calendar.feed": PUBLIC,  # the secret token in the URL is the credential
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.verify_pending": SIGNED_IN,
    "auth.resend_verification": SIGNED_IN,
    "accounts.profile": SIGNED_IN,
    "accounts.save_profile": SIGNED_IN,
    "accounts.tokens": SIGNED_IN,
    "accounts.create_token": SIGNED_IN,
    "accounts.revoke_token": SIGNED_IN,
    "accounts.export_data": SIGNED_IN,  # their own data only
    "accounts.confirm_delete": SIGNED_IN,
    "accounts.delete_account": SIGNED_IN,  # organisers: 403 once the password is given
    "registration.programme": SIGNED_IN,  # moved to /me/: redirects
    "rotation.itinerary": SIGNED_IN,  # moved to /me/itinerary: redirects
    "calendar.itinerary": SIGNED_IN,
    "calendar.reset_feed": SIGNED_IN,
    "me.programme": SIGNED_IN,
    "me.mail_preferences": SIGNED_IN,
    "registration.register": SIGNED_IN,
    "registration.cancel": SIGNED_IN,
    "registration.accept_offer": SIGNED_IN,
    "registration.reconfirm": SIGNED_IN,  # their own seat; nothing asked: a flash, not an error
    "rotation.picks": SIGNED_IN,
    "rotation.seating_need": SIGNED_IN,  # the participant's own request to stay at one table
    "me.itinerary": SIGNED_IN,
    "rotation.roster": HOSTS,
    "checkin.page": HOSTS,
    "checkin.by_code": HOSTS,
    "checkin.check_in": HOSTS,
    "checkin.undo": HOSTS,
    "checkin.walk_in": ORGANISERS,
    "organise.dashboard": ORGANISERS,
    "organise.new_event": ORGANISERS,
    "organise.event": ORGANISERS,
    "organise.edit_event": ORGANISERS,
    "organise.publish": ORGANISERS,
    "organise.delete_event": ORGANISERS,
    "organise.clone_event": ORGANISERS,
    "organise.audit_trail": ORGANISERS,
    "organise.outbox": ORGANISERS,
    "organise.new_session": ORGANISERS,
    "organise.edit_session": ORGANISERS,
    "organise.delete_session": ORGANISERS,
    "organise.new_table": ORGANISERS,
    "organise.edit_table": ORGANISERS,
    "organise.delete_table": ORGANISERS,
    "organise.agenda_notes": ORGANISERS,
    "registration.manage": ORGANISERS,
    "registration.capacity": ORGANISERS,
    "registration.ask_reconfirmation": ORGANISERS,
    "registration.import_participants": ORGANISERS,
    "registration.act": ORGANISERS,
    "rotation.plan": ORGANISERS,
    "rotation.run_plan": ORGANISERS,
    "rotation.move": ORGANISERS,
    "rotation.publish": ORGANISERS,
    "rotation.cards": ORGANISERS,
    "rotation.rules": ORGANISERS,
    "reports.event": ORGANISERS,
    "reports.event_csv": ORGANISERS,
    "reports.event_xlsx": ORGANISERS,
    "reports.session": ORGANISERS,
    "reports.session_csv": ORGANISERS,
    "reports.session_xlsx": ORGANISERS,
    "reports.draft": ORGANISERS,
    "reports.draft_docx": ORGANISERS,
    "entities.index": ORGANISERS,
    "entities.add": ORGANISERS,
    "entities.entity": ORGANISERS,
    "entities.rename": ORGANISERS,
    "entities.confirm": ORGANISERS,
    "entities.merge": ORGANISERS,
    "entities.name_focal_point": ORGANISERS,
    "entities.remove_focal_point": ORGANISERS,
    "entities.mine": FOCAL,
    "entities.register_colleague": FOCAL,
    "calendar.confirm_reset_feed": SIGNED_IN,
    "me.confirm_withdraw": SIGNED_IN,
    "organise.confirm_delete_event": ORGANISERS,
    "organise.confirm_delete_session": ORGANISERS,
    "organise.confirm_restore_event": ORGANISERS,
    "organise.restore_event": ORGANISERS,
    "organise.outbox_test": ORGANISERS,
    "registration.add_person": ORGANISERS,
    "registration.bulk": ORGANISERS,
    "registration.confirm_bulk": ORGANISERS,
    "registration.confirm_remove": ORGANISERS,
    "registration.event_message": ORGANISERS,
    "registration.session_message": ORGANISERS,
    "registration.roster_csv": ORGANISERS,
    "registration.roster_xlsx": ORGANISERS,
    "live.console": ORGANISERS,
    "live.act": ORGANISERS,
    "live.absent_from_check_in": ORGANISERS,
    "live.replan": ORGANISERS,
    "live.walk_in": ORGANISERS,
    "live.board_language": ORGANISERS,
    "live.absent": HOSTS,  # organisers on the console, a table's host on the phone
    "live.board": PUBLIC,  # the secret token in the URL is the credential
    "live.board_stream": PUBLIC,
    "live.phone": SIGNED_IN,  # registered participants and the session's hosts
    "feedback.editor": ORGANISERS,
    "feedback.save_settings": ORGANISERS,
    "feedback.add_question": ORGANISERS,
    "feedback.move_question": ORGANISERS,
    "feedback.confirm_remove_question": ORGANISERS,
    "feedback.remove_question": ORGANISERS,
    "feedback.confirm_send": ORGANISERS,
    "feedback.send": ORGANISERS,
    "feedback.confirm_remind": ORGANISERS,
    "feedback.remind": ORGANISERS,
    "feedback.confirm_delete": ORGANISERS,
    "feedback.delete": ORGANISERS,
    "feedback.results_xlsx": ORGANISERS,
    "feedback.results_csv": ORGANISERS,
    # The people checked in who were sent the survey (participant01 and 02), organisers as a
    # preview; the signed link in the mail stands for a log-in (tests/functional/test_feedback_*).
    "feedback.answer": SIGNED_IN,
    "feedback.submit": SIGNED_IN,
    "live.stream": SIGNED_IN,
    "certificates.session_page": ORGANISERS,
    "certificates.save_template": ORGANISERS,
    "certificates.session_pdf": ORGANISERS,
    "certificates.revoke": ORGANISERS,
    "certificates.mail": ORGANISERS,
    "certificates.badges": ORGANISERS,
    "certificates.tents": ORGANISERS,
    # One's own certificate, for those checked in where the organisers offer them.
    "certificates.mine": SIGNED_IN,
    # The verification page, by the code printed on a certificate.
    "certificates.verify": PUBLIC,
}

# Exceptions to the class rules, with the reason.
OVERRIDES = {
    # participant01's token: nobody else can revoke it, not even an organiser; it does not exist
    # for them.
    ("accounts.revoke_token", OTHER, "real"): NOT_FOUND,
    ("accounts.revoke_token", HOST, "real"): NOT_FOUND,
    ("accounts.revoke_token", ORGANISER, "real"): NOT_FOUND,
    # host-a hosts a table of the session but participant01 never sits at it: no check-in or undo.
    ("checkin.check_in", HOST, "real"): FORBIDDEN,
    ("checkin.undo", HOST, "real"): FORBIDDEN,
    # host-a was not checked in to the speed dating, so was not sent its feedback survey.
    ("feedback.answer", HOST, "real"): FORBIDDEN,
    ("feedback.submit", HOST, "real"): FORBIDDEN,
    # The demo offers no certificates for the speed dating (GETs run before the template's POST).
    ("certificates.session_pdf", ORGANISER, "real"): NOT_FOUND,
    **{("certificates.mine", role, "real"): NOT_FOUND for role in (OTHER, HOST, OWNER, ORGANISER)},
    # No certificate has the matrix's code.
    **{("certificates.verify", role, "-"): NOT_FOUND for role in ROLES},
}

# The check-in pages' clock (honoured when testing): round 1 of the 2024 speed dating, Vienna.
FROZEN_NOW = "2024-11-20T12:05:00+00:00"
# Ids come from the demo fixture by argument name. Deleting runs last, on rows no other case uses;
# re-planning runs after the check-in cases, which read the published plan.
DESTROYING = {
    "organise.delete_table": {"table_id": "spare_table"},
    "organise.delete_session": {"session_id": "spare_session"},
    "organise.delete_event": {"event_id": "spare_event"},
}
CHANGING_THE_PLAN = ("rotation.run_plan", "rotation.move", "rotation.publish")
TEXT_ARGS = {
    ("organise.publish", "action"): "publish",
    ("registration.act", "action"): "override",
    ("reports.event_csv", "view"): "sessions",
    ("reports.session_csv", "view"): "sessions",
    ("feedback.results_csv", "view"): "summary",
    ("certificates.verify", "code"): "0000-0000-0000",
    ("auth.reset_password", "token"): "not-a-signed-token",
    ("auth.confirm_email", "token"): "not-a-signed-token",
}
UNKNOWN_ID = 999_999
OWNER_TOKEN_NAME = "participant01 registration script"
POST_BODIES = {"auth.language": {"locale": "en", "next": "/"}}  # other POSTs send no fields
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
MINIMUM_REQUESTS = 800
ID_ARGUMENTS = (
    "event_id",
    "session_id",
    "table_id",
    "registration_id",
    "user_id",
    "token_id",
    "organisation_id",
)


@dataclass(frozen=True)
class Demo:
    """The demo's rows the URLs are filled with, and the people the own-data checks compare."""

    ids: dict[str, int]
    owner_id: int
    other_id: int
    speed_id: int
    table_a: int
    table_b: int
    board_token: str  # the room board's secret link of the 2024 speed dating


@pytest.fixture
def demo(app, clock) -> Demo:
    """participant01's registration and token in the 2024 speed dating, host-a's table there."""
    clock.set(FROZEN_NOW)  # the check-in pages' clock: round 1 is under way
    owner, other, host = (user_by_email(EMAILS[r]) for r in (OWNER, OTHER, HOST))
    speed, upcoming = db.session.scalars(
        select(EventSession)
        .join(Event)
        .where(
            EventSession.kind == SessionKind.SPEED_NETWORKING, Event.title.like("%open informal%")
        )
        .order_by(EventSession.starts_at)
    ).all()  # 2024's and the coming edition (not the demo's session of the day)
    table_a = next(t for t in speed.tables if t.host_user_id == host.id)
    table_b = next(t for t in speed.tables if t.code == "b")
    registration = db.session.scalar(
        select(Registration).where(
            Registration.user_id == owner.id, Registration.session_id == speed.id
        )
    )
    assert registration is not None and registration.status == RegistrationStatus.CONFIRMED
    plan = latest_plan(speed.id, published_only=True)
    assert not any(a.user_id == owner.id and a.table_id == table_a.id for a in plan.assignments), (
        "the host-a check-in overrides assume participant01 never sits at table a"
    )
    spare_session = db.session.scalar(
        select(EventSession)
        .where(EventSession.event_id != speed.event_id, EventSession.kind == SessionKind.MEETING)
        .order_by(EventSession.starts_at.desc())
    )
    token = api_tokens.issue_token(user=owner, name=OWNER_TOKEN_NAME, now=datetime.now(UTC))
    _send_feedback_survey(speed)
    ids = {
        "event_id": speed.event_id,
        "session_id": speed.id,
        "table_id": table_a.id,
        "registration_id": registration.id,
        "user_id": owner.id,
        "token_id": token.record.id,
        "organisation_id": owner.organisation_id,  # POSTs without fields change nothing
        "spare_table": upcoming.tables[-1].id,
        "spare_session": spare_session.id,
        "spare_event": spare_session.event_id,
    }
    assert set(ID_ARGUMENTS) <= set(ids)
    demo = Demo(
        ids=ids,
        owner_id=owner.id,
        other_id=other.id,
        speed_id=speed.id,
        table_a=table_a.id,
        table_b=table_b.id,
        board_token=live_service.live_row(
            speed.id, user_by_email(EMAILS[ORGANISER]), datetime.fromisoformat(FROZEN_NOW)
        ).board_token,
    )
    db.session.commit()
    return demo


def _send_feedback_survey(speed: EventSession) -> None:
    """The speed dating's survey, sent after it to the people checked in (participant01 and
    participant02 among them, not host-a)."""
    organiser = user_by_email(EMAILS[ORGANISER])
    feedback.add_question(
        session_id=speed.id,
        kind="rating",
        prompt="How useful was it?",
        choices_text="",
        required=False,
        actor=organiser,
        now=speed.ends_at,
    )
    present = feedback_queries.present_user_ids(speed)
    assert {user_by_email(EMAILS[r]).id for r in (OWNER, OTHER)} <= present
    assert user_by_email(EMAILS[HOST]).id not in present
    feedback.send_survey(
        session_id=speed.id, expected=len(present), actor=organiser, now=speed.ends_at
    )


class Clients:
    """One test client per role, logged in (again after a log-out).

    Each request runs in an empty context, so it gets its own app context as in production: the
    fixture's app context would otherwise carry one role's ``g._login_user`` into another's request.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.by_role = {role: app.test_client() for role in ROLES}
        for role in ROLES:
            self.login(role)

    def login(self, role: str) -> None:
        if role == ANONYMOUS:
            return
        response = self.open(
            role,
            "/auth/login",
            method="POST",
            data={"email": EMAILS[role], "password": self.app.config["DEMO_PASSWORD"]},
        )
        assert response.status_code == 302, f"{role} cannot log in"

    def open(self, role: str, url: str, **kwargs):
        db.session.commit()  # end the test's transaction: the request uses its own session
        response = contextvars.Context().run(self.by_role[role].open, url, **kwargs)
        db.session.commit()  # and read what the request wrote afresh
        return response


@pytest.fixture
def clients(app, demo) -> Clients:
    return Clients(app)


def access_of(rule) -> str:
    if rule.rule.startswith("/api/v1/"):
        return API
    return ACCESS.get(rule.endpoint, "")


def expected(endpoint: str, access: str, role: str, variant: str) -> str:
    if (endpoint, role, variant) in OVERRIDES:
        return OVERRIDES[(endpoint, role, variant)]
    if access == API:
        return NO_5XX
    if access == PUBLIC:
        return NOT_FOUND if variant == "unknown" else ALLOWED
    if role == ANONYMOUS:
        return LOGIN
    if access == ORGANISERS and role != ORGANISER:
        return FORBIDDEN
    if access == FOCAL:
        return FORBIDDEN
    if variant == "unknown":
        return NOT_FOUND
    if access == HOSTS and role not in (HOST, ORGANISER):
        return FORBIDDEN
    return ALLOWED


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return "5xx"
    if 300 <= status < 400:
        return LOGIN if urlsplit(response.location).path == "/auth/login" else ALLOWED
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status < 300 or status in (400, 409, 422):
        return ALLOWED
    return str(status)  # 401, 405, 413, 429…: never expected from these requests


@dataclass(frozen=True)
class Case:
    endpoint: str
    rule: object
    method: str
    variant: str  # "real" ids, "unknown" ids, or "-" for a rule without ids

    @property
    def order(self) -> tuple:
        phase = 0
        if self.endpoint in CHANGING_THE_PLAN:
            phase = 1
        elif self.endpoint in DESTROYING:
            phase = 2 + list(DESTROYING).index(self.endpoint)
        return (phase, self.method != "GET", self.rule.rule, self.method, self.variant != "unknown")


SECRET_LINKS = ("calendar.feed", "live.board", "live.board_stream")  # the token is the credential


def has_ids(rule) -> bool:
    return any(conv == "int" for conv, _ in ARGUMENT.findall(rule.rule)) or (
        rule.endpoint in SECRET_LINKS
    )


def all_cases(app) -> list[Case]:
    cases = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for variant in ("unknown", "real") if has_ids(rule) else ("-",):
                cases.append(Case(rule.endpoint, rule, method, variant))
    return sorted(cases, key=lambda c: c.order)


def url_for_case(app, case: Case, demo: Demo) -> str:
    values: dict[str, object] = {}
    for converter, name in ARGUMENT.findall(case.rule.rule):
        if converter == "int":
            key = DESTROYING.get(case.endpoint, {}).get(name, name)
            values[name] = UNKNOWN_ID if case.variant == "unknown" else demo.ids[key]
        elif case.endpoint == "calendar.feed" and name == "token":
            owner = db.session.get(User, demo.owner_id)  # fresh: a case may have reset the feed
            real = feed_token(owner, app.config["SECRET_KEY"])
            values[name] = real if case.variant == "real" else f"{demo.owner_id}-{'0' * 40}"
        elif case.endpoint.startswith("live.board") and name == "token":
            values[name] = demo.board_token if case.variant == "real" else "0" * 32
        else:
            values[name] = TEXT_ARGS[(case.endpoint, name)]
    return app.url_map.bind("localhost").build(case.endpoint, values, method=case.method)


def unclassified_arguments(app) -> list[str]:
    """Path arguments the matrix cannot fill: a new kind of id, or a text argument."""
    missing = []
    for rule in app.url_map.iter_rules():
        for converter, name in ARGUMENT.findall(rule.rule):
            if rule.endpoint == "static" or rule.endpoint in SECRET_LINKS:
                continue
            if converter == "int":
                if name not in ID_ARGUMENTS:
                    missing.append(f"{rule.endpoint}: <int:{name}> (add it to the demo fixture)")
            elif (rule.endpoint, name) not in TEXT_ARGS and not rule.rule.startswith("/api/v1/"):
                missing.append(f"{rule.endpoint}: <{name}> (add it to TEXT_ARGS)")
    return missing


class MatrixSummary:
    """Prints the matrix size in pytest's closing summary."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.lines:
            terminalreporter.write_sep("-", "authorisation matrix")
            for line in self.lines:
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def matrix_summary(pytestconfig) -> MatrixSummary:
    summary = MatrixSummary()
    pytestconfig.pluginmanager.register(summary, "authorisation-matrix-summary")
    return summary


def test_every_route_is_classified():
    app = create_app(make_config("sqlite://"))
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    unclassified = sorted({f"{r.endpoint} {r.rule}" for r in rules if not access_of(r)})
    assert not unclassified, (
        "new routes: add each to ACCESS (and its ids to the demo fixture) in "
        f"tests/functional/test_authorization_matrix.py: {unclassified}"
    )
    stale = sorted(set(ACCESS) - {r.endpoint for r in rules})
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"
    missing = unclassified_arguments(app)
    assert not missing, f"path arguments the matrix cannot fill: {missing}"
    assert {e for e, _, _ in OVERRIDES} <= set(ACCESS)


def test_every_route_answers_every_role_as_the_table_says(
    app, demo, clients, backend, matrix_summary
):
    if any(not access_of(r) for r in app.url_map.iter_rules() if r.endpoint != "static"):
        pytest.fail("unclassified routes: see test_every_route_is_classified")
    cases = all_cases(app)
    wrong, requests, asserted = [], 0, 0
    for case in cases:
        url = url_for_case(app, case, demo)
        access = access_of(case.rule)
        for role in ROLES:
            data = None if case.method == "GET" else POST_BODIES.get(case.endpoint, {})
            response = clients.open(role, url, method=case.method, data=data)
            requests += 1
            want = expected(case.endpoint, access, role, case.variant)
            got = outcome(response)
            if want != NO_5XX:
                asserted += 1
            if got != want and not (want == NO_5XX and got != "5xx"):
                wrong.append(
                    f"{case.method} {url} as {role}: expected {want}, "
                    f"got {response.status_code} ({got})"
                )
            if case.endpoint == "auth.logout":
                clients.login(role)
    rule_methods = len({(c.rule.rule, c.method) for c in cases})
    rules = len({(c.endpoint, c.rule.rule) for c in cases})
    matrix_summary.lines.append(
        f"{backend}: {rules} rules, {rule_methods} rule×method pairs × {len(ROLES)} roles "
        f"(× real/unknown ids where the rule has ids) = {requests} requests, "
        f"{asserted} against the table, {requests - asserted} /api/v1 held to no 5xx"
    )
    assert not wrong, f"{len(wrong)} of {requests} answers differ from the table:\n" + "\n".join(
        wrong
    )
    assert requests >= MINIMUM_REQUESTS


# Participants see only their own data ---------------------------------------------------------


def _text(response) -> str:
    return page_text(response)


def _seats(session_id: int, user_id: int) -> list[str]:
    """Table codes of the user's rounds in the published plan, in round order."""
    plan = latest_plan(session_id, published_only=True)
    return [
        a.table.code
        for a in sorted(plan.assignments, key=lambda a: a.round_number)
        if a.user_id == user_id
    ]


def _upcoming_morning() -> EventSession:
    return db.session.scalar(
        select(EventSession)
        .where(EventSession.title.like("%morning"))
        .order_by(EventSession.starts_at.desc())
    )


def _register_owner_alone(demo: Demo) -> EventSession:
    """participant01, and not participant02, registers for the upcoming morning meeting."""
    from meetingapp.registration.service import register_participant

    morning = _upcoming_morning()
    owner = db.session.get(User, demo.owner_id)
    register_participant(
        user=owner, session_id=morning.id, now=datetime.now(UTC), check_window=False
    )
    return morning


def test_programme_shows_only_the_participants_own_registrations_qr_code_and_feed(
    app, demo, clients
):
    morning = _register_owner_alone(demo)
    key = app.config["SECRET_KEY"]
    owner, other = db.session.get(User, demo.owner_id), db.session.get(User, demo.other_id)
    own_page = _text(clients.open(OWNER, "/me/"))
    response = clients.open(OTHER, "/me/")
    assert response.status_code == 200
    page = _text(response)
    source = html.unescape(response.get_data(as_text=True))  # the feed URL is in an attribute
    assert morning.title in own_page and morning.title not in page
    assert qr_code_for(other, key) in source and feed_token(other, key) in source
    assert qr_code_for(owner, key) not in source and feed_token(owner, key) not in source


def test_itinerary_page_and_calendar_show_only_the_participants_own_rounds(demo, clients):
    own, others = _seats(demo.speed_id, demo.owner_id), _seats(demo.speed_id, demo.other_id)
    assert len(others) == 4 and own != others
    page = _text(clients.open(OTHER, "/me/itinerary"))
    assert re.findall(r"table ([a-z]+) — ", page) == others
    ics = clients.open(OTHER, "/calendar/me.ics").get_data(as_text=True).replace("\r\n ", "")
    assert sorted(re.findall(r"SUMMARY:Round \d+: table ([a-z]+)", ics)) == sorted(others)


def test_feed_answers_its_own_token_only_and_not_after_a_reset(app, demo, clients):
    key = app.config["SECRET_KEY"]
    owner, other = db.session.get(User, demo.owner_id), db.session.get(User, demo.other_id)
    own, others = feed_token(owner, key), feed_token(other, key)
    own_mac, other_mac = own.split("-", 1)[1], others.split("-", 1)[1]
    forged = [
        f"{owner.id}-{other_mac}",  # participant02's signature on participant01's id
        f"{other.id}-{own_mac}",
        f"{owner.id}-{'0' * 40}",
        f"{owner.id}-{own_mac[:-1]}",
        f"{owner.id}-{own_mac}0",
        f"{owner.id}-{own_mac.upper()}",
        f"0{owner.id}-{own_mac}",
        f"{owner.id}",
        f"{UNKNOWN_ID}-{own_mac}",
        f"-{own_mac}",
    ]
    for token in forged:
        for role in (ANONYMOUS, OTHER):
            assert clients.open(role, f"/calendar/feed/{token}.ics").status_code == 404, token
    response = clients.open(ANONYMOUS, f"/calendar/feed/{others}.ics")
    assert response.status_code == 200
    ics = response.get_data(as_text=True).replace("\r\n ", "")
    assert sorted(re.findall(r"SUMMARY:Round \d+: table ([a-z]+)", ics)) == sorted(
        _seats(demo.speed_id, demo.other_id)
    )
    reset = clients.open(OTHER, "/calendar/feed/reset", method="POST", data={"confirmed": "yes"})
    assert reset.status_code == 302
    assert clients.open(ANONYMOUS, f"/calendar/feed/{others}.ics").status_code == 404
    renewed = feed_token(db.session.get(User, demo.other_id), key)
    assert clients.open(ANONYMOUS, f"/calendar/feed/{renewed}.ics").status_code == 200
    assert clients.open(ANONYMOUS, f"/calendar/feed/{own}.ics").status_code == 200


def test_hosts_see_the_roster_of_their_own_table_only(demo, clients):
    owner, other = db.session.get(User, demo.owner_id), db.session.get(User, demo.other_id)
    assert clients.open(HOST, f"/rotation/tables/{demo.table_b}/roster").status_code == 403
    assert clients.open(OTHER, f"/rotation/tables/{demo.table_a}/roster").status_code == 403
    assert clients.open(OWNER, f"/rotation/tables/{demo.table_a}/roster").status_code == 403
    response = clients.open(HOST, f"/rotation/tables/{demo.table_a}/roster")
    assert response.status_code == 200
    assert other.name in _text(response) and owner.name not in _text(response)


def _check_ins(session_id: int, user_id: int) -> int:
    return len(
        db.session.scalars(
            select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.user_id == user_id)
        ).all()
    )


def test_check_in_is_for_organisers_and_hosts_of_the_persons_table(app, demo, clients):
    key = app.config["SECRET_KEY"]
    owner = db.session.get(User, demo.owner_id)
    training_day = db.session.scalar(
        select(EventSession)
        .where(EventSession.kind == SessionKind.TRAINING)
        .order_by(EventSession.starts_at)
    )
    base = f"/checkin/sessions/{demo.speed_id}"
    before = _check_ins(demo.speed_id, demo.owner_id)
    for role in (OWNER, OTHER):
        assert clients.open(role, base).status_code == 403
        assert (
            clients.open(role, f"{base}/people/{demo.owner_id}/check-in", method="POST").status_code
            == 403
        )
        assert (
            clients.open(
                role, f"{base}/code", method="POST", data={"code": qr_code_for(owner, key)}
            ).status_code
            == 403
        )
    assert clients.open(HOST, f"/checkin/sessions/{training_day.id}").status_code == 403
    # host-a's sheet lists the people at table a in round 1 of the published plan, whoever the
    # planner seated there, and never participant01 (who never sits at table a).
    plan = latest_plan(demo.speed_id, published_only=True)
    seated = sorted(
        a.user_id for a in plan.assignments if a.round_number == 0 and a.table_id == demo.table_a
    )
    sheet = _text(clients.open(HOST, base))
    assert all(db.session.get(User, uid).name in sheet for uid in seated)
    assert owner.name not in sheet
    assert (
        clients.open(HOST, f"{base}/people/{demo.owner_id}/check-in", method="POST").status_code
        == 403
    )
    assert (
        clients.open(
            HOST, f"{base}/code", method="POST", data={"code": qr_code_for(owner, key)}
        ).status_code
        == 403
    )
    assert _check_ins(demo.speed_id, demo.owner_id) == before
    response = clients.open(HOST, f"{base}/people/{seated[0]}/check-in", method="POST")
    assert response.status_code in (303, 409), "host-a checks in the people at table a"


def test_reports_audit_trail_outbox_and_rosters_are_for_organisers_only(demo, clients):
    event, session = demo.ids["event_id"], demo.speed_id
    email = EMAILS[OWNER]
    urls = [
        f"/reports/events/{event}",
        f"/reports/events/{event}/people.csv",
        f"/reports/events/{event}/report.xlsx",
        f"/reports/sessions/{session}",
        f"/reports/sessions/{session}/people.csv",
        f"/reports/sessions/{session}/report.xlsx",
        f"/organise/events/{event}/audit",
        "/organise/outbox",
        f"/registration/sessions/{session}/manage",
        f"/rotation/sessions/{session}",
        f"/rotation/sessions/{session}/cards",
    ]
    for url in urls:
        for role in (OWNER, OTHER, HOST):
            response = clients.open(role, url)
            assert response.status_code == 403, (url, role)
            assert email not in response.get_data(as_text=True)
    people = clients.open(ORGANISER, f"/reports/sessions/{session}/people.csv")
    assert people.status_code == 200 and email in people.get_data(as_text=True)


def test_a_participant_cannot_touch_another_participants_registration_or_token(demo, clients):
    morning = _register_owner_alone(demo)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.user_id == demo.owner_id, Registration.session_id == morning.id
        )
    )
    for action in ("override", "remove", "up", "down"):
        response = clients.open(
            OTHER, f"/registration/registrations/{registration.id}/{action}", method="POST"
        )
        assert response.status_code == 403
    clients.open(OTHER, f"/registration/sessions/{morning.id}/cancel", method="POST")
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED
    token_id = demo.ids["token_id"]
    assert (
        clients.open(OTHER, f"/account/tokens/{token_id}/revoke", method="POST").status_code == 404
    )
    assert OWNER_TOKEN_NAME not in _text(clients.open(OTHER, "/account/tokens/"))
    assert OWNER_TOKEN_NAME in _text(clients.open(OWNER, "/account/tokens/"))
    assert api_tokens.tokens_of(demo.owner_id)[0].revoked_at is None

"""Bad input to every HTML form: never a 500; invalid input gets a form error; no duplicates.

Hypothesis posts malformed dates, huge strings (up to 100,000 characters), NUL bytes, emoji,
right-to-left text, unknown ids and wrong types (lists, sent as repeated keys) to each form as
the role that may use it, on SQLite. One deterministic pass sends the nastiest values to every
field of every form on both databases (PostgreSQL refuses things SQLite stores, NUL for one).
Uploads, out-of-range ids in URLs and double submissions have their own tests.
"""

from __future__ import annotations

import contextvars
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from meetingapp.checkin.qr import qr_code_for
from meetingapp.demo.today import TODAY_TITLE
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    Event,
    EventSession,
    Organisation,
    Registration,
    SessionKind,
    TablePick,
    TopicTable,
    User,
)
from meetingapp.models.user import user_by_email
from meetingapp.rotation.queries import latest_plan

pytestmark = pytest.mark.demo

ANONYMOUS = "anonymous"
OWNER = "participant01@example.org"
PICKER = "participant11@example.org"  # confirmed for the upcoming speed dating
ORGANISER = "organiser@example.org"
FROZEN_NOW = "2024-11-20T12:05:00+00:00"  # round 1 of the 2024 speed dating: check-in is open
EXAMPLES = 25  # per form, on SQLite
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])
ERROR_MARKERS = ('class="error"', "flash-error")


# Requests ------------------------------------------------------------------------------------


class Browser:
    """Test clients by account, each request in its own app context as in production."""

    def __init__(self, app) -> None:
        self.app = app
        self.clients: dict[str, object] = {}

    def client(self, who: str):
        if who not in self.clients:
            self.clients[who] = self.app.test_client()
            if who != ANONYMOUS:
                response = self.send(
                    who,
                    "POST",
                    "/auth/login",
                    data={"email": who, "password": self.app.config["DEMO_PASSWORD"]},
                )
                assert response.status_code == 302, f"{who} cannot log in"
        return self.clients[who]

    def send(self, who: str, method: str, url: str, **kwargs):
        client = self.client(who)
        db.session.commit()  # the request has its own session; nothing of ours stays open
        response = contextvars.Context().run(client.open, url, method=method, **kwargs)
        db.session.commit()
        return response

    def flashed_errors(self, who: str) -> list[str]:
        """The error messages flashed since the last page, taken out of the session."""

        def read():
            with self.client(who).session_transaction() as session:
                return [m for c, m in session.pop("_flashes", []) if c == "error"]

        return contextvars.Context().run(read)


def shows_error(response, browser: Browser, who: str) -> bool:
    """A 4xx page or form with a message, or a redirect that flashed one."""
    body = response.get_data(as_text=True)
    if 400 <= response.status_code < 500:
        return any(m in body for m in ERROR_MARKERS) or (f"<title>{response.status_code} " in body)
    if 300 <= response.status_code < 400:
        return bool(browser.flashed_errors(who))
    return any(m in body for m in ERROR_MARKERS)


def assert_handled(response, request_line: str) -> None:
    assert response.status_code < 500, (
        f"{request_line} answered {response.status_code}: an app bug (see the log above)"
    )


# The demo's rows -----------------------------------------------------------------------------


def _form_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


@dataclass
class Demo:
    """Ids (and a few strings) of the demo's rows, and a valid submission of each form."""

    values: dict[str, str]
    valid: dict[str, dict[str, str]]


@pytest.fixture
def demo(app, clock) -> Demo:
    from meetingapp.organise.forms import session_form_data
    from meetingapp.organise.mappers import session_values

    def session_form_values(session):
        return session_form_data(session_values(session), session.kind.value)

    clock.set(FROZEN_NOW)
    speed, upcoming_speed = db.session.scalars(
        select(EventSession)
        .join(EventSession.event)
        .where(EventSession.kind == SessionKind.SPEED_NETWORKING, Event.title != TODAY_TITLE)
        .order_by(EventSession.starts_at)
    ).all()
    training = db.session.scalar(
        select(EventSession)
        .where(EventSession.kind == SessionKind.TRAINING)
        .order_by(EventSession.starts_at.desc())
    )
    event, part, table = training.event, training.parts[0], upcoming_speed.tables[0]
    plan = latest_plan(speed.id, published_only=True)
    seated = next(a for a in plan.assignments if a.round_number == 0)
    owner = user_by_email(OWNER)
    values = {
        "event": event.id,
        "training": training.id,
        "part": part.id,
        "speed": speed.id,
        "upcoming_speed": upcoming_speed.id,
        "upcoming_table": table.id,
        "owner": owner.id,
        "seated": seated.user_id,
        "seated_table": seated.table_id,
        "organisation": db.session.scalar(select(Organisation.id).order_by(Organisation.id)),
    }
    stored = {
        "event edit": {
            "title": event.title,
            "city": event.city,
            "venue": event.venue or "",
            "timezone": event.timezone,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "organisation": event.organisation_id or 0,
        },
        "session edit (training day)": session_form_values(training),
        "session edit (part)": session_form_values(part),
        "session edit (speed networking)": session_form_values(upcoming_speed),
        "table edit": {
            "code": table.code,
            "topic": table.topic,
            "host_organisation": table.host_organisation_id or 0,
            "host_label": table.host_label or "",
            "host_user": table.host_user_id or 0,
            "seats": table.seats,
            "min_seats": table.min_seats or 0,
        },
    }
    valid = {
        name: {k: _form_value(v) for k, v in fields.items()} for name, fields in stored.items()
    }
    valid.update(
        {
            "sign-up": {
                "name": "Ada",
                "email": "ada@example.org",
                "organisation": str(values["organisation"]),
                "password": "a-long-password",
                "confirm": "a-long-password",
            },
            "log-in": {"email": OWNER, "password": "not-the-password"},
            "change password": {
                "current_password": app.config["DEMO_PASSWORD"],
                "new_password": "another-password",
                "confirm": "another-password",
            },
            "language": {"locale": "en", "next": "/"},
            "event create": dict(VALID_EVENT),
            "session create": {**dict(VALID_SESSION), "day": _form_value(event.starts_on)},
            "training part create": {
                **dict(VALID_SESSION),
                "kind": "part",
                "day": _form_value(event.starts_on),
            },
            "table create": dict(VALID_TABLE),
            "clone": {"title": "Cloned by the bad-input test", "starts_on": "2027-06-01"},
            "capacity": {"capacity": "25"},
            "picks": {"rank1": str(table.id)},
            "move": {
                "participant": str(seated.user_id),
                "round_number": "0",
                "table": str(seated.table_id),
            },
            "check-in by QR code": {
                "code": qr_code_for(db.session.get(User, seated.user_id), app.config["SECRET_KEY"]),
                "round": "1",
            },
            "check-in from the list": {"round": "1"},
            "undo a check-in": {"round": "1"},
            "walk-in": {"email": "participant60@example.org", "override": "y", "round": "1"},
            "mail preferences": {"optional": "on"},
            "API token": {"name": "script"},
        }
    )
    db.session.commit()
    return Demo({k: str(v) for k, v in values.items()}, valid)


@pytest.fixture
def browser(app, demo) -> Browser:
    return Browser(app)


# Forms ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    name: str
    who: str
    url: str  # formatted with the demo's ids
    fields: tuple[str, ...]
    method: str = "POST"

    def url_for(self, demo: Demo) -> str:
        return self.url.format(**demo.values)


EVENT = (
    "title",
    "description",
    "city",
    "venue",
    "timezone",
    "starts_on",
    "ends_on",
    "organisation",
    "co_organisers",
)
VALID_EVENT = (
    ("title", "Bad input seminar"),
    ("city", "Vienna"),
    ("timezone", "Europe/Vienna"),
    ("starts_on", "2027-03-01"),
    ("ends_on", "2027-03-02"),
    ("organisation", "0"),
)
SESSION = (
    "kind",
    "title",
    "description",
    "room",
    "day",
    "start_time",
    "end_time",
    "capacity",
    "registration_opens",
    "registration_closes",
    "lead_organisation",
    "chair",
    "agenda",
    "round_count",
    "round_minutes",
    "move_minutes",
    "min_tables",
    "max_picks",
    "picks_deadline",
)
VALID_SESSION = (
    ("kind", "meeting"),
    ("title", "Side event"),
    ("start_time", "10:00"),
    ("end_time", "11:00"),
    ("lead_organisation", "0"),
)
TABLE = (
    "code",
    "topic",
    "host_organisation",
    "host_label",
    "host_user",
    "seats",
    "min_seats",
    "another",
)
VALID_TABLE = (
    ("code", "z"),
    ("topic", "Bad input"),
    ("seats", "8"),
    ("min_seats", "0"),
    ("host_organisation", "0"),
    ("host_user", "0"),
)
CHECK_IN = ("round", "q")

FORMS = (
    Form(
        "sign-up",
        ANONYMOUS,
        "/auth/signup",
        ("name", "email", "organisation", "password", "confirm"),
    ),
    Form("log-in", ANONYMOUS, "/auth/login?next=/me/", ("email", "password", "remember")),
    Form(
        "change password", OWNER, "/auth/password", ("current_password", "new_password", "confirm")
    ),
    Form("language", ANONYMOUS, "/auth/language", ("locale", "next")),
    Form("event create", ORGANISER, "/organise/events/new", EVENT),
    Form("event edit", ORGANISER, "/organise/events/{event}/edit", EVENT),
    Form("session create", ORGANISER, "/organise/events/{event}/sessions/new", SESSION),
    Form(
        "training part create",
        ORGANISER,
        "/organise/events/{event}/sessions/new?parent={training}",
        SESSION,
    ),
    Form("session edit (training day)", ORGANISER, "/organise/sessions/{training}/edit", SESSION),
    Form("session edit (part)", ORGANISER, "/organise/sessions/{part}/edit", SESSION),
    Form(
        "session edit (speed networking)",
        ORGANISER,
        "/organise/sessions/{upcoming_speed}/edit",
        SESSION,
    ),
    Form("table create", ORGANISER, "/organise/sessions/{upcoming_speed}/tables/new", TABLE),
    Form("table edit", ORGANISER, "/organise/tables/{upcoming_table}/edit", TABLE),
    Form("clone", ORGANISER, "/organise/events/{event}/clone", ("title", "starts_on")),
    Form("capacity", ORGANISER, "/registration/sessions/{training}/capacity", ("capacity",)),
    Form(
        "picks",
        PICKER,
        "/rotation/sessions/{upcoming_speed}/picks",
        ("rank1", "rank2", "rank3", "rank4", "rank5"),
    ),
    Form(
        "plan rotation", ORGANISER, "/rotation/sessions/{speed}/plan", ("from_round", "time_limit")
    ),
    Form(
        "move",
        ORGANISER,
        "/rotation/sessions/{speed}/move",
        ("participant", "round_number", "table"),
    ),
    Form("check-in by QR code", ORGANISER, "/checkin/sessions/{speed}/code", ("code",) + CHECK_IN),
    Form(
        "check-in from the list",
        ORGANISER,
        "/checkin/sessions/{speed}/people/{seated}/check-in",
        CHECK_IN,
    ),
    Form("undo a check-in", ORGANISER, "/checkin/sessions/{speed}/people/{seated}/undo", CHECK_IN),
    Form(
        "walk-in", ORGANISER, "/checkin/sessions/{speed}/walk-in", ("email", "override") + CHECK_IN
    ),
    Form("check-in page", ORGANISER, "/checkin/sessions/{speed}", CHECK_IN, method="GET"),
    Form(
        "new session page",
        ORGANISER,
        "/organise/events/{event}/sessions/new",
        ("parent", "kind"),
        method="GET",
    ),
    Form("register", OWNER, "/registration/sessions/{training}", ("back",)),
    Form("cancel", OWNER, "/registration/sessions/{training}/cancel", ("back",)),
    Form("mail preferences", OWNER, "/me/mail", ("optional",)),
    Form("feed reset", OWNER, "/calendar/feed/reset", ("token",)),
    Form("API token", OWNER, "/account/tokens/", ("name",)),
)
FORM_PARAMS = [pytest.param(f, id=f.name.replace(" ", "-")) for f in FORMS]


# Values --------------------------------------------------------------------------------------

NASTY = (
    "",
    " ",
    "\x00",
    "nul\x00byte",
    "-1",
    "0",
    "1e400",
    "NaN",
    "-inf",
    "0x10",
    "²",
    "١٢",
    "9" * 30,
    "1" * 5000,
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59",
    "24:00",
    "23:60",
    "2024-03-31T02:30",
    "2024-10-27T02:30",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "\u202eexe.txt",
    "مرحبا بالعالم",
    "שלום",
    "🎉" * 50,
    "{{7*7}}",
    "%s%n",
    "../../etc/passwd",
    "//evil.example/",
    "MTG1-1-" + "0" * 24,
    "MTG1-²-AB",
)
# The deterministic pass on both databases: one value of each kind, in each field in turn.
CORE = (
    "\x00",
    "x" * 100_000,
    "9" * 30,
    "1" * 5000,
    "-1",
    "2024-02-30",
    "9999-12-31",
    "9999-12-31T23:59",
    "25:61",
    "²",
    "\u202eمرحبا 🎉",
    ["1", "2"],
)

HUGE = st.builds(
    lambda s, n: (s * n)[:n], st.text(min_size=1, max_size=4), st.integers(10_000, 100_000)
)
SCALAR = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(-(2**70), 2**70).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.times().map(lambda t: t.isoformat(timespec="minutes")),
    HUGE,
)


def _costly(value: str) -> bool:
    """A time limit the planner would spend seconds mixing for: time, not robustness."""
    try:
        return Decimal(value.strip()) > Decimal("0.5")
    except (InvalidOperation, ValueError):
        return False


def field_values(form: Form, name: str, demo: Demo):
    scalar = st.one_of(SCALAR, st.sampled_from([*demo.values.values(), "999999"]))
    if name == "kind":
        scalar = st.one_of(st.sampled_from([k.value for k in SessionKind]), scalar)
    if form.name == "plan rotation" and name == "time_limit":
        scalar = scalar.filter(lambda v: not _costly(v))
    return st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))  # lists: repeated keys


def payloads(form: Form, demo: Demo):
    """Random fields, or a valid submission with some fields replaced by random ones."""
    random = st.fixed_dictionaries(
        {}, optional={n: field_values(form, n, demo) for n in form.fields}
    )
    base = demo.valid.get(form.name)
    return st.one_of(random, random.map(lambda d: {**base, **d})) if base else random


def send(browser: Browser, form: Form, demo: Demo, payload: dict):
    url = form.url_for(demo)
    if form.method == "GET":
        return browser.send(form.who, "GET", url, query_string=payload)
    return browser.send(form.who, "POST", url, data=payload)


def _short(value):
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value if len(value) <= 40 else f"{value[:12]!r}…({len(value)} characters)"


def describe(form: Form, payload: dict) -> str:
    fields = {k: _short(v) for k, v in payload.items()}
    return f"{form.name}: {form.method} {form.url} {fields}"


# Every form, random input (SQLite) -----------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize("form", FORM_PARAMS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
def test_form_answers_random_input_without_a_server_error(form, browser, demo, data):
    payload = data.draw(payloads(form, demo), label="form data")
    response = send(browser, form, demo, payload)
    assert_handled(response, describe(form, payload))


# Every field of every form, the nastiest values (both databases) -----------------------------


def test_every_field_survives_the_nastiest_values(browser, demo, backend):
    server_errors = []
    for form in FORMS:
        base = demo.valid.get(form.name, {})
        for name in form.fields:
            for value in CORE:
                payload = {**base, name: value}
                response = send(browser, form, demo, payload)
                if response.status_code >= 500:
                    server_errors.append(f"{response.status_code} {describe(form, payload)}")
    assert not server_errors, f"{len(server_errors)} server errors on {backend}:\n" + "\n".join(
        server_errors
    )


# Invalid input gets a message (both databases) ------------------------------------------------

INVALID = (
    ("sign-up", "email", "not-an-e-mail"),
    ("sign-up", "password", "short"),
    ("sign-up", "confirm", "something-else"),
    ("sign-up", "organisation", "not-a-number"),
    ("sign-up", "organisation", "999999"),
    ("sign-up", "name", "x" * 100_000),
    ("log-in", "email", "\x00"),
    ("change password", "current_password", "wrong-password"),
    ("change password", "confirm", "something-else"),
    ("language", "locale", "xx"),
    ("event create", "starts_on", "2024-02-30"),
    ("event create", "ends_on", "2027-02-01"),  # before it starts
    ("event create", "timezone", "Mars/Olympus_Mons"),
    ("event create", "title", "x" * 100_000),
    ("event create", "organisation", "999999"),
    ("event edit", "starts_on", "not a date"),
    ("session create", "day", "2024-13-01"),
    ("session create", "start_time", "25:61"),
    ("session create", "end_time", "09:00"),  # before it starts
    ("session create", "capacity", "-1"),
    ("session create", "capacity", "lots"),
    ("session create", "capacity", "9" * 30),
    ("session create", "kind", "party"),
    ("session create", "registration_opens", "yesterday"),
    ("session create", "day", "2030-01-01"),  # outside the event
    ("training part create", "kind", "meeting"),
    ("session edit (speed networking)", "round_count", ""),
    ("session edit (speed networking)", "round_minutes", "-5"),
    ("table create", "seats", "0"),
    ("table create", "seats", "many"),
    ("table create", "code", "x" * 100),
    ("table create", "host_user", "999999"),
    ("table edit", "min_seats", "-1"),
    ("clone", "starts_on", "2024-02-30"),
    ("clone", "starts_on", "9999-12-31"),  # the last day of the calendar: nothing fits after it
    ("session create", "day", "9999-12-31"),
    ("session create", "registration_closes", "9999-12-31T23:59"),
    ("clone", "title", ""),
    ("capacity", "capacity", "-1"),
    ("capacity", "capacity", "lots"),
    ("picks", "rank1", "999999"),
    ("plan rotation", "time_limit", "soon"),
    ("plan rotation", "time_limit", "-5"),
    ("plan rotation", "from_round", "99"),
    ("move", "participant", "999999"),
    ("move", "table", "lots"),
    ("check-in by QR code", "code", "garbage"),
    ("check-in by QR code", "code", "x" * 200),
    ("check-in by QR code", "code", "MTG1-1-" + "0" * 24),
    ("check-in by QR code", "code", "MTG1-²-AB"),
    ("check-in by QR code", "code", "MTG1-1-ÄBC"),
    ("check-in by QR code", "round", "99"),
    ("check-in from the list", "round", "0"),
    ("check-in from the list", "round", "one"),
    ("walk-in", "email", "not-an-e-mail"),
    ("walk-in", "email", "nobody@example.org"),
    ("check-in page", "round", "99"),
    ("check-in page", "round", "²"),  # str.isdigit() says yes, int() says no
    ("check-in page", "round", "1" * 5000),  # beyond int()'s 4,300 digits
    ("picks", "rank1", "²"),
    ("capacity", "capacity", "9" * 30),
    ("new session page", "parent", "9" * 30),
    ("API token", "name", "x" * 1000),
)
FORMS_BY_NAME = {f.name: f for f in FORMS}


def test_invalid_input_is_answered_with_a_message(browser, demo, backend):
    unexplained = []
    for name, field_name, value in INVALID:
        form = FORMS_BY_NAME[name]
        payload = {**demo.valid.get(name, {}), field_name: value}
        response = send(browser, form, demo, payload)
        if response.status_code >= 500 or not shows_error(response, browser, form.who):
            unexplained.append(f"{response.status_code} {describe(form, payload)}")
    assert not unexplained, "no error message for:\n" + "\n".join(unexplained)


# Ids out of any range in URLs (both databases) -------------------------------------------------

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
TEXT_ARGUMENTS = {"action": "publish", "view": "sessions"}


def test_ids_out_of_every_range_are_404_not_500(app, browser, backend):
    """Werkzeug's int converter accepts any length; the database does not."""
    adapter = app.url_map.bind("localhost")
    wrong = []
    for rule in app.url_map.iter_rules():
        arguments = ARGUMENT.findall(rule.rule)
        if rule.rule.startswith("/api/v1/") or not any(c == "int" for c, _ in arguments):
            continue
        for huge in (2**31, 2**63, 10**30):
            values = {n: huge if c == "int" else TEXT_ARGUMENTS[n] for c, n in arguments}
            if rule.endpoint == "registration.act":
                values["action"] = "remove"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                url = adapter.build(rule.endpoint, values, method=method)
                response = browser.send(ORGANISER, method, url)
                if response.status_code != 404:
                    wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, "expected 404 for ids no row can have:\n" + "\n".join(wrong)


FEED_GARBAGE = {
    "superscript digit": "²-abc",  # str.isdigit() says yes, int() says no
    "Arabic-Indic digit": "١-abc",  # int() reads 1, hmac.compare_digest() refuses non-ASCII
    "5,000 digits": "1" * 5000 + "-abc",
    "a dash": "-",
    "a NUL": "%00",
    "a 100,000-character signature": "1-" + "x" * 100_000,
}


@pytest.mark.parametrize("token", list(FEED_GARBAGE.values()), ids=list(FEED_GARBAGE))
def test_feed_token_garbage_is_404(browser, backend, token):
    response = browser.send(ANONYMOUS, "GET", f"/calendar/feed/{token}.ics")
    assert response.status_code == 404


# Uploads ---------------------------------------------------------------------------------------

IMPORT_URL = "/registration/sessions/{training}/import"
HEADER = b"name,email,organisation\n"


def _upload(browser: Browser, demo: Demo, filename: str, content: bytes):
    # Encoded here, in memory: the test client spools bodies over 500 KB to a temporary file it
    # leaves open when the app answers 413 without reading it (a ResourceWarning, so an error).
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=filename)})
    return browser.send(
        ORGANISER,
        "POST",
        IMPORT_URL.format(**demo.values),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_with(replace: dict[str, bytes], rows: list[list[str]]) -> bytes:
    """A real workbook with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in source.namelist():
            archive.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
ROWS = [["name", "email", "organisation"], ["Ada", "ada@example.org", "ORG"]]


def _sheet() -> str:
    return zipfile.ZipFile(io.BytesIO(_xlsx(ROWS))).read(SHEET).decode()


def _zip_bomb() -> bytes:
    """About 100 KB that unpacks to a 100 MB worksheet (whitespace inside <sheetData>)."""
    sheet = _sheet().replace("<sheetData>", "<sheetData>" + " " * (100 * 1024 * 1024), 1)
    return _xlsx_with({SHEET: sheet.encode()}, ROWS)


def _external_entity() -> bytes:
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sheet = _sheet().replace("<worksheet", doctype + "<worksheet", 1).replace("ORG", "&xxe;")
    return _xlsx_with({SHEET: sheet.encode()}, ROWS)


def _billion_laughs() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    sheet = _sheet().replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1)
    return _xlsx_with({SHEET: sheet.replace("ORG", "&i;").encode()}, ROWS)


BAD_UPLOADS = {
    "not UTF-8": ("people.csv", HEADER + "Zoë,zoe@example.org,UNOOSA\n".encode("latin-1")),
    "no header": ("people.csv", b"Ada,ada@example.org,UNOOSA\n"),
    "empty CSV": ("people.csv", b""),
    "a 200,000-character field": ("people.csv", HEADER + b"x" * 200_000 + b",a@example.org,X\n"),
    "a carriage return inside a field": ("people.csv", HEADER + b"Ada\rLovelace,a@example.org,X\n"),
    "random bytes as .xlsx": ("people.xlsx", bytes(range(256)) * 8),
    "a zip that is no workbook": ("people.xlsx", None),
    "a malformed worksheet": (
        "people.xlsx",
        _xlsx_with({SHEET: b"<worksheet><sheetData><row>"}, ROWS),
    ),
    "an external entity": ("people.xlsx", None),
    "a billion laughs": ("people.xlsx", None),
    "a zip bomb": ("people.xlsx", None),
    "a .txt file": ("people.txt", HEADER),
    "no file name": ("", HEADER),
}


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("people.csv", HEADER)
    return out.getvalue()


BUILT = {
    "an external entity": _external_entity,
    "a billion laughs": _billion_laughs,
    "a zip bomb": _zip_bomb,
    "a zip that is no workbook": _not_a_workbook,
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_is_refused_with_a_message(browser, demo, backend, case):
    filename, content = BAD_UPLOADS[case]
    content = BUILT[case]() if content is None else content
    before = db.session.scalar(select(func.count()).select_from(Registration))
    response = _upload(browser, demo, filename, content)
    assert response.status_code < 500, f"{case}: {response.status_code}"
    assert shows_error(response, browser, ORGANISER), f"{case}: no message"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == before
    assert "root:" not in response.get_data(as_text=True)


def test_upload_over_2_mib_is_413_with_a_message(browser, demo, backend):
    response = _upload(browser, demo, "people.csv", HEADER + b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Too Large" in body and "capacity limit" in body


def test_import_with_nul_bytes_and_huge_names_never_fails(browser, demo, backend):
    rows = (
        HEADER
        + b"Nul\x00Name,nul@example.org,UNOOSA\n"
        + b"x" * 100_000
        + b",huge@example.org,UNOOSA\n"
        + "\u202eمرحبا 🎉,rtl@example.org,UNOOSA\n".encode()
    )
    response = _upload(browser, demo, "people.csv", rows)
    assert response.status_code < 500
    response = _upload(
        browser,
        demo,
        "people.xlsx",
        _xlsx(
            [
                ["name", "email", "organisation"],
                ["x" * 32_767, "long@example.org", "UNOOSA"],
                ['=HYPERLINK("http://evil.example")', "formula@example.org", "UNOOSA"],
            ]
        ),
    )
    assert response.status_code < 500


@SQLITE_ONLY
@settings(
    max_examples=2 * EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content=st.one_of(
        st.binary(max_size=4096), st.text(max_size=2000).map(lambda t: HEADER + t.encode())
    ),
    filename=st.sampled_from(
        [
            "people.csv",
            "people.xlsx",
            "PEOPLE.CSV",
            "people.csv.xlsx",
            "../../people.csv",
            "people",
            "\x00.csv",
            "🎉.xlsx",
        ]
    ),
)
def test_random_upload_never_fails(browser, demo, content, filename):
    response = _upload(browser, demo, filename, content)
    assert response.status_code < 500, f"{filename!r} {content[:60]!r}: {response.status_code}"
    assert response.status_code == 200 or shows_error(response, browser, ORGANISER)


# Double submissions (both databases) -----------------------------------------------------------


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _check_ins_of(demo: Demo) -> int:
    return _count(
        CheckIn,
        CheckIn.user_id == int(demo.values["seated"]),
        CheckIn.session_id == int(demo.values["speed"]),
    )


# What the first submission adds, counted; picks replace the participant's earlier ones.
DUPLICATES = {
    "sign-up": lambda d: _count(User, User.email == "ada@example.org"),
    "event create": lambda d: _count(Event, Event.title == "Bad input seminar"),
    "session create": lambda d: _count(EventSession, EventSession.title == "Side event"),
    "training part create": lambda d: _count(EventSession, EventSession.title == "Side event"),
    "table create": lambda d: _count(TopicTable, TopicTable.code == "z"),
    "clone": lambda d: _count(Event, Event.title == "Cloned by the bad-input test"),
    "register": lambda d: _count(
        Registration,
        Registration.user_id == int(d.values["owner"]),
        Registration.session_id == int(d.values["training"]),
    ),
    "picks": lambda d: _count(
        TablePick,
        TablePick.user_id == user_by_email(PICKER).id,
        TablePick.session_id == int(d.values["upcoming_speed"]),
    ),
    "walk-in": lambda d: _count(
        CheckIn, CheckIn.user_id == user_by_email("participant60@example.org").id
    ),
    "check-in from the list": _check_ins_of,
}
REPLACING = {"picks"}


@pytest.mark.parametrize("name", list(DUPLICATES))
def test_the_same_post_twice_creates_nothing_twice(browser, demo, backend, name):
    form = FORMS_BY_NAME[name]
    count = DUPLICATES[name]
    if name == "check-in from the list":  # the demo's record may have them present already
        send(browser, FORMS_BY_NAME["undo a check-in"], demo, demo.valid["undo a check-in"])
    before = count(demo)
    first = send(browser, form, demo, demo.valid.get(name, {}))
    assert first.status_code < 400, f"{name}: the first submission is refused"
    once = count(demo)
    assert once > before or name in REPLACING, f"{name}: the first submission created nothing"
    second = send(browser, form, demo, demo.valid.get(name, {}))
    assert second.status_code < 500
    assert count(demo) == once, f"{name}: the second submission created a duplicate"


def test_importing_the_same_file_twice_registers_each_person_once(browser, demo, backend):
    content = HEADER + b"Ada Lovelace,ada@example.org,UNOOSA\nAlan Turing,alan@example.org,UNOOSA\n"
    session_id = int(demo.values["training"])
    for _ in range(2):
        assert _upload(browser, demo, "people.csv", content).status_code == 200
    for email in ("ada@example.org", "alan@example.org"):
        user = user_by_email(email)
        assert user is not None and _count(User, User.email == email) == 1
        assert (
            _count(
                Registration, Registration.user_id == user.id, Registration.session_id == session_id
            )
            == 1
        )

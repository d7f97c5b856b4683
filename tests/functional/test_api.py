"""The JSON API: the documented script, each endpoint's behaviour and its permission matrix."""

from __future__ import annotations

import base64
import hashlib
import re
import runpy
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from meetingapp import create_app
from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.models import ApiToken, Event, EventSession, SessionKind, TopicTable, User
from meetingapp.organise import mappers, sessions
from meetingapp.organise import service as scheduling
from meetingapp.registration.service import register_participant
from meetingapp.rotation import service as rotation
from tests import factories
from tests.conftest import DEMO_NOW, make_config

DAY = date(2030, 5, 14)
NOW = datetime(2030, 5, 14, 7, 0, tzinfo=UTC)  # 09:00 in Vienna, the morning of the event
ROLES = ("anonymous", "participant", "host", "organiser")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@dataclass
class World:
    organiser: User
    participant: User
    host: User
    others: list[User]
    event: Event
    meeting: EventSession
    speed: EventSession
    tables: list[TopicTable]
    secrets: dict[str, str]
    seats: list = field(default_factory=list)  # (user id, round, table id) once planned

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def headers(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.secrets[role]}"}


@pytest.fixture
def world(app, clock) -> World:
    """A published event in Vienna: a plenary with two seats, a speed dating with three tables
    (the host leads table a) and three people already confirmed for it."""
    clock.set(NOW)
    org = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    organiser = factories.organiser("organiser@example.org")
    participant = factories.user("participant@example.org", org=org, name="Pat Participant")
    host = factories.user("host@example.org", org=factories.organisation(), name="Hal Host")
    others = [factories.user(org=factories.organisation()) for _ in range(3)]
    db.session.commit()
    event = scheduling.create_event(
        mappers.EventData(
            title="Spring session",
            city="Vienna",
            venue="VIC",
            timezone="Europe/Vienna",
            starts_on=DAY,
            ends_on=DAY,
        ),
        actor=organiser,
        now=NOW,
    )
    scheduling.set_published(event.id, True, actor=organiser, now=NOW)
    meeting = sessions.create_session(
        event.id,
        mappers.SessionData(
            kind=SessionKind.MEETING,
            title="Plenary",
            day=DAY,
            start_time=time(13),
            end_time=time(14),
            capacity=2,
        ),
        actor=organiser,
        now=NOW,
    )
    speed = sessions.create_session(
        event.id,
        mappers.SessionData(
            kind=SessionKind.SPEED_NETWORKING,
            title="Speed dating",
            day=DAY,
            start_time=time(15),
            end_time=time(16, 30),
            round_count=3,
            round_minutes=20,
            move_minutes=5,
            min_tables=3,
            max_picks=3,
        ),
        actor=organiser,
        now=NOW,
    )
    tables = [
        sessions.add_table(
            speed.id,
            mappers.TableData(
                code=code,
                topic=f"Topic {code}",
                host_organisation_id=None,
                seats=4,
                host_user_id=host.id if code == "a" else None,
            ),
            actor=organiser,
            now=NOW,
        )
        for code in "abc"
    ]
    for person in others:
        register_participant(user=person, session_id=speed.id, now=NOW)
    secrets = {
        role: api_tokens.issue_token(user=user, name=role, now=NOW).secret
        for role, user in (("participant", participant), ("host", host), ("organiser", organiser))
    }
    return World(organiser, participant, host, others, event, meeting, speed, tables, secrets)


def _basic(email: str, password: str = factories.PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def _plan_and_publish(w: World) -> list:
    plan = rotation.plan_rotation(session_id=w.speed.id, actor=w.organiser, now=NOW)
    rotation.publish_plan(plan_id=plan.id, actor=w.organiser, now=NOW)
    return [(a.user_id, a.round_number, a.table_id) for a in plan.assignments]


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


# --- the documented script --------------------------------------------------------------------


def _documented_script(tmp_path: Path) -> Path:
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    path = tmp_path / "itinerary.py"
    path.write_text(code)
    return path


@pytest.mark.demo
def test_the_documented_script_signs_up_registers_for_the_training_day_and_prints_it(
    app, monkeypatch, tmp_path, capsys, clock
):
    """docs/api.md's script, run as is against the app served on a local port (demo data)."""
    clock.set(DEMO_NOW)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("MEETINGAPP_URL", f"http://127.0.0.1:{server.server_port}")
        runpy.run_path(str(_documented_script(tmp_path)), run_name="__main__")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    out = capsys.readouterr().out
    assert re.search(
        r"^Registered for .*Earth Observation for Societal Benefit.*: confirmed$", out, re.M
    )
    assert re.search(
        r"^\d{4}-\d\d-\d\dT09:30–17:30 America/New_York: .*Earth Observation for "
        r"Societal Benefit.* \(confirmed\)$",
        out,
        re.M,
    )
    assert len(re.findall(r"^    \d\d:\d\d ", out, re.M)) == 5  # the training day's sessions


@pytest.mark.demo
def test_the_documented_steps_through_the_test_client(client, clock):
    """The same steps, asserting each answer."""
    clock.set(DEMO_NOW)
    r = client.post(
        "/api/v1/accounts",
        json={
            "email": "new@example.org",
            "password": "long-enough",
            "name": "New Delegate",
            "organisation": "UNOOSA",
        },
    )
    assert r.status_code == 201 and set(r.get_json()) == {"id"}
    r = client.post("/api/v1/tokens", headers=_basic("new@example.org", "long-enough"))
    assert r.status_code == 201
    auth = {"Authorization": f"Bearer {r.get_json()['token']}"}
    events = client.get("/api/v1/events", headers=auth).get_json()["items"]
    event = next(e for e in events if e["title"] == "UN-Space, 44th session")
    sessions = client.get(f"/api/v1/events/{event['id']}/sessions", headers=auth).get_json()
    training = next(x for x in sessions["items"] if x["kind"] == "training")
    assert (training["capacity"], training["confirmed"]) == (21, 18)
    r = client.post(f"/api/v1/sessions/{training['id']}/registrations", headers=auth)
    assert r.status_code == 201
    assert r.get_json() == {"status": "confirmed", "waitlist_position": None}
    items = client.get("/api/v1/me/itinerary", headers=auth).get_json()["items"]
    assert [i["session_id"] for i in items] == [training["id"]]
    assert items[0]["timezone"] == "America/New_York"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00", items[0]["starts_at"])
    assert len(items[0]["parts"]) == 5


# --- the permission matrix --------------------------------------------------------------------


def _expect(anonymous: int, participant: int, host: int, organiser: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, participant, host, organiser), strict=True))


PUBLIC_READ = _expect(200, 200, 200, 200)
SIGNED_IN = _expect(401, 200, 200, 200)
ORGANISER_ONLY = _expect(401, 403, 403, 200)
ORGANISER_CREATES = _expect(401, 403, 403, 201)


def _session_body(**changes) -> dict:
    return {
        "title": "Side event",
        "starts_at": "2030-05-14T10:00",
        "ends_at": "2030-05-14T11:00",
        **changes,
    }


def _event_body() -> dict:
    return {
        "title": "Spring session",
        "city": "Vienna",
        "timezone": "Europe/Vienna",
        "starts_on": "2030-05-14",
        "ends_on": "2030-05-14",
        "published": True,
    }


def _register(w: World, me: User | None, session: EventSession) -> None:
    if me is not None:
        register_participant(user=me, session_id=session.id, now=NOW)


def _check_in_target(w: World, me: User | None, seats: list) -> dict:
    """A host checks in someone at their own table; others someone at another table."""
    hosted = w.tables[0].id
    at_host_table = [(u, r) for u, r, t in seats if t == hosted and r == 0]
    elsewhere = [(u, r) for u, r, t in seats if t != hosted and r == 0]
    user_id, round_number = (at_host_table if me is w.host else elsewhere)[0]
    return {"participant": user_id, "round": round_number + 1}


# name: (request built from the world and the acting user, expected status per role)
MATRIX = {
    "POST /tokens": (
        lambda w, me: ("POST", "/tokens", None, _basic(me.email) if me else {}),
        _expect(401, 201, 201, 201),
    ),
    "GET /tokens": (lambda w, me: ("GET", "/tokens", None), SIGNED_IN),
    "DELETE /tokens/{id}": (
        lambda w, me: ("DELETE", f"/tokens/{_own_token(me or w.participant)}", None),
        _expect(401, 204, 204, 204),
    ),
    "POST /accounts": (
        lambda w, me: (
            "POST",
            "/accounts",
            {
                "email": f"new-{me.id if me else 0}@example.org",
                "password": "long-enough",
                "name": "New",
                "organisation": "UNOOSA",
            },
        ),
        _expect(201, 201, 201, 201),
    ),
    "GET /me": (lambda w, me: ("GET", "/me", None), SIGNED_IN),
    "GET /organisations": (lambda w, me: ("GET", "/organisations", None), PUBLIC_READ),
    "GET /events": (lambda w, me: ("GET", "/events", None), PUBLIC_READ),
    "GET /events/{id}": (lambda w, me: ("GET", f"/events/{w.event.id}", None), PUBLIC_READ),
    "POST /events": (lambda w, me: ("POST", "/events", _event_body()), ORGANISER_CREATES),
    "PUT /events/{id}": (
        lambda w, me: ("PUT", f"/events/{w.event.id}", _event_body()),
        ORGANISER_ONLY,
    ),
    "PATCH /events/{id}": (
        lambda w, me: ("PATCH", f"/events/{w.event.id}", {"venue": "M"}),
        ORGANISER_ONLY,
    ),
    "GET /events/{id}/sessions": (
        lambda w, me: ("GET", f"/events/{w.event.id}/sessions", None),
        PUBLIC_READ,
    ),
    "POST /events/{id}/sessions": (
        lambda w, me: ("POST", f"/events/{w.event.id}/sessions", _session_body()),
        ORGANISER_CREATES,
    ),
    "GET /sessions/{id}": (lambda w, me: ("GET", f"/sessions/{w.meeting.id}", None), PUBLIC_READ),
    "PUT /sessions/{id}": (
        lambda w, me: (
            "PUT",
            f"/sessions/{w.meeting.id}",
            _session_body(starts_at="2030-05-14T13:00", ends_at="2030-05-14T14:00", capacity=2),
        ),
        ORGANISER_ONLY,
    ),
    "PATCH /sessions/{id}": (
        lambda w, me: ("PATCH", f"/sessions/{w.meeting.id}", {"title": "Opening plenary"}),
        ORGANISER_ONLY,
    ),
    "GET /sessions/{id}/tables": (
        lambda w, me: ("GET", f"/sessions/{w.speed.id}/tables", None),
        PUBLIC_READ,
    ),
    "POST /sessions/{id}/tables": (
        lambda w, me: ("POST", f"/sessions/{w.speed.id}/tables", {"code": "d", "topic": "Topic d"}),
        ORGANISER_CREATES,
    ),
    "PUT /tables/{id}": (
        lambda w, me: ("PUT", f"/tables/{w.tables[1].id}", {"code": "b", "topic": "New topic"}),
        ORGANISER_ONLY,
    ),
    "PATCH /tables/{id}": (
        lambda w, me: ("PATCH", f"/tables/{w.tables[1].id}", {"seats": 5}),
        ORGANISER_ONLY,
    ),
    "POST /sessions/{id}/registrations": (
        lambda w, me: ("POST", f"/sessions/{w.meeting.id}/registrations", None),
        _expect(401, 201, 201, 201),
    ),
    "DELETE /sessions/{id}/registrations/me": (
        lambda w, me: (
            _register(w, me, w.meeting)
            or ("DELETE", f"/sessions/{w.meeting.id}/registrations/me", None)
        ),
        _expect(401, 204, 204, 204),
    ),
    "POST /sessions/{id}/registrations/me/accept": (
        lambda w, me: (
            _register(w, me, w.meeting)
            or ("POST", f"/sessions/{w.meeting.id}/registrations/me/accept", None)
        ),
        _expect(401, 409, 409, 409),  # confirmed, so no offer to accept
    ),
    "POST /sessions/{id}/registrations/me/reconfirm": (
        lambda w, me: (
            _register(w, me, w.meeting)
            or ("POST", f"/sessions/{w.meeting.id}/registrations/me/reconfirm", None)
        ),
        _expect(401, 409, 409, 409),  # nobody asked this session to reconfirm
    ),
    "POST /sessions/{id}/reconfirmation": (
        lambda w, me: (
            "POST",
            f"/sessions/{w.meeting.id}/reconfirmation",
            {"deadline": "2030-05-14T12:00:00"},
        ),
        ORGANISER_ONLY,
    ),
    "GET /sessions/{id}/registrations": (
        lambda w, me: ("GET", f"/sessions/{w.meeting.id}/registrations", None),
        ORGANISER_ONLY,
    ),
    "GET /me/itinerary": (lambda w, me: ("GET", "/me/itinerary", None), SIGNED_IN),
    "GET /sessions/{id}/picks": (
        lambda w, me: ("GET", f"/sessions/{w.speed.id}/picks", None),
        SIGNED_IN,
    ),
    "PUT /sessions/{id}/picks": (
        lambda w, me: (
            _register(w, me, w.speed)
            or ("PUT", f"/sessions/{w.speed.id}/picks", {"tables": [t.id for t in w.tables[::-1]]})
        ),
        SIGNED_IN,
    ),
    "GET /sessions/{id}/live": (
        lambda w, me: _register(w, me, w.speed) or ("GET", f"/sessions/{w.speed.id}/live", None),
        SIGNED_IN,  # once registered: the clock is for the session's own people
    ),
    "POST /sessions/{id}/live": (
        lambda w, me: ("POST", f"/sessions/{w.speed.id}/live", {"action": "start"}),
        ORGANISER_ONLY,
    ),
    "GET /sessions/{id}/live/stream": (
        lambda w, me: (
            _register(w, me, w.speed) or ("GET", f"/sessions/{w.speed.id}/live/stream", None)
        ),
        SIGNED_IN,
    ),
    "POST /sessions/{id}/rotation": (
        lambda w, me: ("POST", f"/sessions/{w.speed.id}/rotation", None),
        ORGANISER_CREATES,
    ),
    "GET /sessions/{id}/rotation": (
        lambda w, me: ("GET", f"/sessions/{w.speed.id}/rotation", None),
        SIGNED_IN,
    ),
    "POST /sessions/{id}/rotation/publish": (
        lambda w, me: ("POST", f"/sessions/{w.speed.id}/rotation/publish", None),
        ORGANISER_ONLY,
    ),
    "GET /sessions/{id}/rotation/constraints": (
        lambda w, me: ("GET", f"/sessions/{w.speed.id}/rotation/constraints", None),
        ORGANISER_ONLY,
    ),
    "PUT /sessions/{id}/rotation/constraints": (
        lambda w, me: (
            "PUT",
            f"/sessions/{w.speed.id}/rotation/constraints",
            {"stays_at_one_table": [w.others[0].id], "apart": [], "together": []},
        ),
        ORGANISER_ONLY,
    ),
    "GET /sessions/{id}/seating-needs": (
        lambda w, me: ("GET", f"/sessions/{w.speed.id}/seating-needs", None),
        SIGNED_IN,
    ),
    "PUT /sessions/{id}/seating-needs": (
        lambda w, me: (
            _register(w, me, w.speed)
            or ("PUT", f"/sessions/{w.speed.id}/seating-needs", {"stays_at_one_table": True})
        ),
        SIGNED_IN,  # once registered: confirmed participants ask for themselves
    ),
    "POST /sessions/{id}/check-ins": (
        lambda w, me: (
            "POST",
            f"/sessions/{w.speed.id}/check-ins",
            _check_in_target(w, me, w.seats),
        ),
        _expect(401, 403, 201, 201),
    ),
}
# Operations whose world needs a published rotation first.
NEEDS_ROTATION = {
    "GET /sessions/{id}/rotation",
    "POST /sessions/{id}/rotation/publish",
    "POST /sessions/{id}/check-ins",
}


def _own_token(user: User) -> int:
    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))


def test_the_matrix_covers_every_documented_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        method.upper() + " " + re.sub(r"{\w+}", "{id}", path)
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert documented == set(MATRIX)


@pytest.mark.parametrize("operation", list(MATRIX))
def test_permission_matrix(world, client, operation):
    build, expected = MATRIX[operation]
    world.seats = _plan_and_publish(world) if operation in NEEDS_ROTATION else []
    got = {}
    for role in ROLES:
        method, path, body, *headers = build(world, world.user(role))
        response = client.open(
            f"/api/v1{path}",
            method=method,
            json=body,
            headers=headers[0] if headers else world.headers(role),
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert _error(response)["code"], response.get_json()
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"]
    assert got == expected


# --- tokens and authentication ----------------------------------------------------------------


def test_token_is_stored_hashed_and_acts_with_the_users_role(world, client):
    r = client.post("/api/v1/tokens", json={"name": "sync"}, headers=_basic(world.organiser.email))
    assert r.status_code == 201
    body = r.get_json()
    assert (body["name"], body["role"]) == ("sync", "organiser")
    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in (stored.token_hash, stored.name)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["role"] == "organiser"
    db.session.expire_all()
    assert db.session.get(ApiToken, body["id"]).last_used_at == NOW


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, "wrong-password"])
def test_tokens_need_the_right_basic_credentials(world, client, headers):
    if headers == "wrong-password":
        headers = _basic(world.participant.email, "not-the-password")
    r = client.post("/api/v1/tokens", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic ")
    assert _error(r)["code"] == "unauthorised"


def test_a_revoked_token_is_refused(world, client):
    auth = world.headers("participant")
    token_id = _own_token(world.participant)
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=auth).status_code == 204
    r = client.get("/api/v1/me", headers=auth)
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_revoking_someone_elses_token_is_404(world, client):
    r = client.delete(
        f"/api/v1/tokens/{_own_token(world.host)}", headers=world.headers("participant")
    )
    assert r.status_code == 404


def test_the_api_never_accepts_the_session_cookie(world, client, auth):
    auth.login(world.organiser.email)
    assert client.get("/account/tokens/").status_code == 200  # the cookie works on pages
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert client.post("/api/v1/events", json=_event_body()).status_code == 401


@contextmanager
def _app_with(database_url: str, **config):
    """A second app on the same database with other settings; its connections closed after."""
    other = create_app(make_config(database_url, **config))
    try:
        yield other.test_client()
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_api_requests_need_no_csrf_token_but_pages_still_do(world, database_url):
    with _app_with(database_url, WTF_CSRF_ENABLED=True) as client:
        _csrf_checks(world, client)


def _csrf_checks(world: World, client) -> None:
    r = client.post(
        f"/api/v1/sessions/{world.meeting.id}/registrations", headers=world.headers("participant")
    )
    assert r.status_code == 201
    # The HTML forms, token page included, still refuse a POST without the CSRF token.
    assert (
        client.post(
            "/auth/login", data={"email": world.participant.email, "password": factories.PASSWORD}
        ).status_code
        == 400
    )
    assert client.post("/account/tokens/", data={"name": "x"}).status_code == 400


def test_token_page_shows_a_new_token_once_and_revokes_it(world, client, auth):
    assert client.get("/account/tokens/").status_code == 302  # log in first
    auth.login(world.participant.email)
    r = client.post("/account/tokens/", data={"name": "laptop script"})
    assert r.status_code == 201
    assert r.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token">([^<]+)<', r.get_data(as_text=True)).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["email"] == world.participant.email
    page = client.get("/account/tokens/").get_data(as_text=True)
    assert "laptop script" in page and secret not in page
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "laptop script"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    other = _own_token(world.host)
    assert client.post(f"/account/tokens/{other}/revoke").status_code == 404


def test_token_requests_are_rate_limited_per_account(world, database_url):
    wrong = _basic(world.host.email, "guessing")
    with _app_with(
        database_url, RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="2 per minute"
    ) as client:
        statuses = [client.post("/api/v1/tokens", headers=wrong).status_code for _ in range(3)]
        limited = client.post("/api/v1/tokens", headers=wrong)
    assert statuses == [401, 401, 429]
    assert _error(limited)["code"] == "rate_limited"


# --- sign-up ----------------------------------------------------------------------------------

SIGN_UP = {
    "email": "Ada@Example.org",
    "password": "long-enough",
    "name": "Ada Lovelace",
    "organisation": "UNOOSA",
}


def test_sign_up_creates_a_participant_with_a_lower_cased_address(world, client):
    r = client.post("/api/v1/accounts", json=SIGN_UP)
    assert r.status_code == 201
    user = db.session.get(User, r.get_json()["id"])
    assert (user.email, user.role.value, user.organisation.short_name) == (
        "ada@example.org",
        "participant",
        "UNOOSA",
    )
    again = client.post("/api/v1/accounts", json=SIGN_UP | {"email": "ADA@example.ORG"})
    assert again.status_code == 409
    assert _error(again)["code"] == "duplicate_email"
    assert "email" in _error(again)["fields"]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"password": "short"}, 422, "password"),
        ({"email": "not-an-address"}, 422, "email"),
        ({"organisation": "NOPE"}, 422, "organisation"),
        ({"organisation": 999_999}, 422, "organisation"),
        ({"organisation": ""}, 422, "organisation"),
        ({"name": "   "}, 422, "name"),
        ({"name": "Ada\u0000"}, 422, "name"),
        ({"shoe_size": 42}, 422, "shoe_size"),
        ({"organisation": True}, 400, "organisation"),
        ({"password": 12345678}, 400, "password"),
    ],
)
def test_sign_up_refuses_what_the_sign_up_page_refuses(world, client, changes, status, field):
    r = client.post("/api/v1/accounts", json=SIGN_UP | changes)
    assert r.status_code == status
    assert field in _error(r)["fields"]


def test_sign_up_without_organisation_is_422(world, client):
    body = {k: v for k, v in SIGN_UP.items() if k != "organisation"}
    r = client.post("/api/v1/accounts", json=body)
    assert r.status_code == 422
    assert _error(r)["fields"] == {"organisation": "This field is required."}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
        ("email=a%40b.org", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(world, client, data, content_type):
    r = client.post("/api/v1/accounts", data=data, content_type=content_type)
    assert r.status_code == 400
    assert _error(r)["code"] == "bad_request"


# --- events and sessions ----------------------------------------------------------------------


def test_unpublished_events_are_visible_to_organisers_only(world, client):
    scheduling.set_published(world.event.id, False, actor=world.organiser, now=NOW)
    for role, visible in (("anonymous", False), ("participant", False), ("organiser", True)):
        listed = client.get("/api/v1/events", headers=world.headers(role)).get_json()["items"]
        assert (world.event.id in [e["id"] for e in listed]) is visible
        for path in (
            f"/events/{world.event.id}",
            f"/sessions/{world.meeting.id}",
            f"/events/{world.event.id}/sessions",
        ):
            r = client.get(f"/api/v1{path}", headers=world.headers(role))
            assert r.status_code == (200 if visible else 404), (role, path)


def test_patch_changes_only_the_fields_sent(world, client):
    r = client.patch(
        f"/api/v1/events/{world.event.id}",
        headers=world.headers("organiser"),
        json={"venue": "Vienna International Centre"},
    )
    assert r.status_code == 200
    body = r.get_json()
    assert (body["venue"], body["title"], body["timezone"], body["published"]) == (
        "Vienna International Centre",
        "Spring session",
        "Europe/Vienna",
        True,
    )


@pytest.mark.parametrize("zone_name", ["America", "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_unknown_time_zone_is_422(world, client, zone_name):
    r = client.post(
        "/api/v1/events",
        json=_event_body() | {"timezone": zone_name},
        headers=world.headers("organiser"),
    )
    assert (r.status_code, list(_error(r)["fields"])) == (422, ["timezone"])


def test_lists_are_paginated_with_an_opaque_cursor(world, client):
    for n in range(3):
        scheduling.create_event(
            mappers.EventData(
                title=f"Event {n}",
                city="Vienna",
                venue="",
                timezone="Europe/Vienna",
                starts_on=date(2031, 1, n + 1),
                ends_on=date(2031, 1, n + 1),
            ),
            actor=world.organiser,
            now=NOW,
        )
    auth = world.headers("organiser")
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/events{query}", headers=auth).get_json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    assert client.get("/api/v1/events?cursor=garbage", headers=auth).status_code == 400
    assert client.get("/api/v1/events?limit=201", headers=auth).status_code == 422
    assert client.get("/api/v1/events?limit=many", headers=auth).status_code == 400


def test_times_leave_in_the_events_zone_with_its_name(world, client):
    r = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=world.headers("organiser"),
        json=_session_body(starts_at="2030-05-14T08:00:00Z", ends_at="2030-05-14T09:00:00+00:00"),
    )
    assert r.status_code == 201
    body = r.get_json()
    assert (body["starts_at"], body["ends_at"], body["timezone"]) == (
        "2030-05-14T10:00:00+02:00",
        "2030-05-14T11:00:00+02:00",
        "Europe/Vienna",
    )


def test_a_local_time_in_the_repeated_dst_hour_is_422(world, client):
    auth = world.headers("organiser")
    event = client.post(
        "/api/v1/events",
        headers=auth,
        json=_event_body() | {"starts_on": "2030-10-27", "ends_on": "2030-10-27"},
    ).get_json()
    r = client.post(
        f"/api/v1/events/{event['id']}/sessions",
        headers=auth,
        json=_session_body(starts_at="2030-10-27T02:30", ends_at="2030-10-27T03:30"),
    )
    assert (r.status_code, _error(r)["code"]) == (422, "ambiguous_local_time")


def test_speed_networking_sessions_get_rounds_and_tables(world, client):
    auth = world.headers("organiser")
    r = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=auth,
        json=_session_body(
            kind="speed_networking", round_count=3, round_minutes=15, move_minutes=5, min_tables=3
        ),
    )
    assert r.status_code == 201
    session = r.get_json()
    assert [(x["round"], x["starts_at"][11:16]) for x in session["rounds"]] == [
        (1, "10:00"),
        (2, "10:20"),
        (3, "10:40"),
    ]
    for code in "xyz":
        assert (
            client.post(
                f"/api/v1/sessions/{session['id']}/tables",
                headers=auth,
                json={"code": code, "topic": f"Topic {code}"},
            ).status_code
            == 201
        )
    tables = client.get(f"/api/v1/sessions/{session['id']}/tables").get_json()["items"]
    assert [t["code"] for t in tables] == ["x", "y", "z"]
    again = client.post(
        f"/api/v1/sessions/{session['id']}/tables",
        headers=auth,
        json={"code": "x", "topic": "Twice"},
    )
    assert (again.status_code, list(_error(again)["fields"])) == (422, ["code"])


def test_a_training_day_takes_timed_parts(world, client):
    auth = world.headers("organiser")
    day = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=auth,
        json=_session_body(
            kind="training", starts_at="2030-05-14T09:00", ends_at="2030-05-14T12:00"
        ),
    ).get_json()
    part = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=auth,
        json=_session_body(
            parent=day["id"], starts_at="2030-05-14T09:30", ends_at="2030-05-14T10:30"
        ),
    ).get_json()
    assert (part["kind"], part["parent_id"]) == ("part", day["id"])
    assert [p["id"] for p in client.get(f"/api/v1/sessions/{day['id']}").get_json()["parts"]] == [
        part["id"]
    ]
    outside = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=auth,
        json=_session_body(
            parent=day["id"], starts_at="2030-05-14T11:30", ends_at="2030-05-14T12:30"
        ),
    )
    assert outside.status_code == 422


def test_raising_the_capacity_confirms_the_head_of_the_waitlist(world, client):
    for role in ("participant", "host", "organiser"):
        client.post(
            f"/api/v1/sessions/{world.meeting.id}/registrations", headers=world.headers(role)
        )
    auth = world.headers("organiser")
    r = client.patch(f"/api/v1/sessions/{world.meeting.id}", json={"capacity": 3}, headers=auth)
    assert (r.status_code, r.get_json()["confirmed"], r.get_json()["waitlisted"]) == (200, 3, 0)
    lowered = client.patch(
        f"/api/v1/sessions/{world.meeting.id}", json={"capacity": 1}, headers=auth
    )
    assert (lowered.status_code, _error(lowered)["code"]) == (409, "capacity_below_confirmed")


# --- registrations ----------------------------------------------------------------------------


def test_a_full_session_waitlists_and_a_cancellation_promotes(world, client):
    url = f"/api/v1/sessions/{world.meeting.id}/registrations"
    outcomes = [
        client.post(url, headers=world.headers(role)).get_json()
        for role in ("participant", "host", "organiser")
    ]
    assert outcomes == [{"status": "confirmed", "waitlist_position": None}] * 2 + [
        {"status": "waitlisted", "waitlist_position": 1}
    ]
    again = client.post(url, headers=world.headers("host"))
    assert (again.status_code, _error(again)["code"]) == (409, "already_registered")
    assert client.delete(f"{url}/me", headers=world.headers("participant")).status_code == 204
    listed = client.get(url, headers=world.headers("organiser")).get_json()["items"]
    assert [(x["participant"]["email"], x["status"]) for x in listed] == [
        ("host@example.org", "confirmed"),
        ("organiser@example.org", "confirmed"),
    ]
    everyone = client.get(f"{url}?status=all", headers=world.headers("organiser")).get_json()
    assert [x["status"] for x in everyone["items"]] == ["confirmed", "confirmed", "cancelled"]
    gone = client.delete(f"{url}/me", headers=world.headers("participant"))
    assert gone.status_code == 404


def test_the_waitlist_is_listed_in_order_with_positions(world, client):
    url = f"/api/v1/sessions/{world.meeting.id}/registrations"
    for person in world.others:
        register_participant(user=person, session_id=world.meeting.id, now=NOW)
    waiting = client.get(f"{url}?status=waitlisted", headers=world.headers("organiser")).get_json()
    assert [(x["participant"]["id"], x["waitlist_position"]) for x in waiting["items"]] == [
        (world.others[2].id, 1)
    ]
    assert waiting["items"][0]["timezone"] == "Europe/Vienna"
    assert waiting["items"][0]["registered_at"].endswith("+02:00")


def test_registration_is_refused_once_the_session_started(world, client, clock):
    started = datetime(2030, 5, 14, 11, 30, tzinfo=UTC)
    clock.set(started)
    r = client.post(
        f"/api/v1/sessions/{world.meeting.id}/registrations", headers=world.headers("participant")
    )
    assert (r.status_code, _error(r)["code"]) == (409, "registration_closed")


# --- picks, rotation, itinerary, check-in -----------------------------------------------------


def test_picks_are_saved_best_first_by_confirmed_participants_only(world, client):
    url = f"/api/v1/sessions/{world.speed.id}/picks"
    auth = world.headers("participant")
    refused = client.put(url, json={"tables": [world.tables[0].id]}, headers=auth)
    assert refused.status_code == 403
    register_participant(user=world.participant, session_id=world.speed.id, now=NOW)
    wanted = [world.tables[2].id, world.tables[0].id]
    assert client.put(url, json={"tables": wanted}, headers=auth).get_json() == {"tables": wanted}
    assert client.get(url, headers=auth).get_json() == {"tables": wanted}
    foreign = client.put(url, json={"tables": [world.tables[0].id, 999]}, headers=auth)
    assert (foreign.status_code, list(_error(foreign)["fields"])) == (422, ["tables"])
    assert client.put(url, json={"tables": "a"}, headers=auth).status_code == 400


def test_rotation_is_planned_published_and_shows_in_the_itinerary(world, client):
    register_participant(user=world.participant, session_id=world.speed.id, now=NOW)
    url = f"/api/v1/sessions/{world.speed.id}/rotation"
    mine = world.headers("participant")
    r = client.post(url, headers=world.headers("organiser"))
    assert r.status_code == 201
    plan = r.get_json()
    assert plan["status"] == "draft" and "preference_score" in plan["stats"]
    assert len(plan["assignments"]) == 4 * 3  # four people, three rounds
    assert {a["round"] for a in plan["assignments"]} == {1, 2, 3}
    assert client.get(url, headers=mine).status_code == 404  # not published yet
    assert (
        client.post(f"{url}/publish", headers=world.headers("organiser")).get_json()["status"]
        == "published"
    )
    seen = client.get(url, headers=mine).get_json()["assignments"]
    assert {a["participant_id"] for a in seen} == {world.participant.id}  # only their own seats
    hosted = client.get(url, headers=world.headers("host")).get_json()["assignments"]
    assert {a["table_code"] for a in hosted} == {"a"} and len(hosted) == 4
    item = next(
        i
        for i in client.get("/api/v1/me/itinerary", headers=mine).get_json()["items"]
        if i["session_id"] == world.speed.id
    )
    assert [(s["round"], s["starts_at"][11:16]) for s in item["rounds"]] == [
        (1, "15:00"),
        (2, "15:25"),
        (3, "15:50"),
    ]
    assert len({s["table"]["code"] for s in item["rounds"]}) == 3


def test_planning_without_tables_is_422(world, client):
    session = client.post(
        f"/api/v1/events/{world.event.id}/sessions",
        headers=world.headers("organiser"),
        json=_session_body(kind="speed_networking", round_count=1, round_minutes=10, min_tables=1),
    ).get_json()
    r = client.post(
        f"/api/v1/sessions/{session['id']}/rotation", headers=world.headers("organiser")
    )
    assert r.status_code == 422


def test_check_in_rules(world, client):
    seats = _plan_and_publish(world)
    url = f"/api/v1/sessions/{world.speed.id}/check-ins"
    host_table = world.tables[0].id
    at_table = next(u for u, r, t in seats if t == host_table and r == 0)
    elsewhere = next(u for u, r, t in seats if t != host_table and r == 0)
    r = client.post(url, json={"participant": at_table, "round": 1}, headers=world.headers("host"))
    assert r.status_code == 201
    body = r.get_json()
    assert (body["participant_id"], body["round"], body["method"], body["by_id"]) == (
        at_table,
        1,
        "api",
        world.host.id,
    )
    assert body["timezone"] == "Europe/Vienna" and body["at"] == "2030-05-14T09:00:00+02:00"
    twice = client.post(
        url, json={"participant": at_table, "round": 1}, headers=world.headers("organiser")
    )
    assert (twice.status_code, _error(twice)["code"]) == (409, "check_in_refused")
    not_mine = client.post(
        url, json={"participant": elsewhere, "round": 1}, headers=world.headers("host")
    )
    assert not_mine.status_code == 403
    no_round = client.post(url, json={"participant": elsewhere}, headers=world.headers("organiser"))
    assert no_round.status_code == 409
    nobody = client.post(
        url, json={"participant": 999_999, "round": 1}, headers=world.headers("organiser")
    )
    assert nobody.status_code == 404


# --- the document and the page ----------------------------------------------------------------


def test_the_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method) for path, methods in document["paths"].items() for method in methods
    }
    assert documented == routes - {("/openapi.json", "get"), ("/docs", "get")}
    text = str(document)
    refs = set(re.findall(r"#/components/schemas/(\w+)", text))
    assert refs <= set(document["components"]["schemas"])
    for methods in document["paths"].values():
        for op in methods.values():
            assert any(code.startswith("2") for code in op["responses"])


def test_the_docs_page_lists_every_operation_without_scripts(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for path, methods in client.get("/api/v1/openapi.json").get_json()["paths"].items():
        for method in methods:
            assert f"{method.upper()} /api/v1{path}" in page
    assert "style=" not in page
    # No script but the interface's language picker, which only submits its form on change.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/language.js" defer>']


def test_ids_beyond_32_bits_and_unknown_routes_are_json_404s(world, client):
    for path in ("/events/99999999999999999999", "/sessions/0", "/nothing/here"):
        r = client.get(f"/api/v1{path}", headers=world.headers("organiser"))
        assert (r.status_code, r.mimetype, _error(r)["code"]) == (
            404,
            "application/json",
            "not_found",
        )

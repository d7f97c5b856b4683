"""Live mode in three Chromium pages on two app servers: the organiser's console on server A,
the room board and a participant's phone on server B, both gunicorn (gthread) on one PostgreSQL
database, so every change crosses servers through LISTEN/NOTIFY.

The organiser starts the session with the keyboard and runs it with "Next phase" to round 2;
each time the board and the phone show the new phase within 2 s of the click (measured from the
click to the text on the other server's pages). The phone then loses the network: its countdown
keeps running, and once back online it agrees with GET /api/v1/sessions/{id}/live to ±2 s. Two
people are marked absent in round 2 and the rounds left are re-planned: the phone of a person
moved shows their new round-3 table, read from the database after the re-plan, within 2 s.

The planner stops at its time limit (1 s, as the console asks) on a loaded machine, so a re-plan
does not always move the person whose phone we hold: the organiser then re-plans again (each
re-plan is checked on the phone the same way), up to ``REPLANS`` times.

Once in English and once in Chinese; every page is checked with axe-core; screenshots of the
board (1920×1080) and the phone (390×844) are saved as /tmp/live-{board,phone}-<lang>.png.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from meetingapp import create_app
from meetingapp.api.tokens import issue_token
from meetingapp.extensions import db
from meetingapp.live.service import live_row
from meetingapp.models import LiveSession, TopicTable
from meetingapp.rotation.queries import latest_plan
from tests import factories
from tests.browser.conftest import LiveServer, axe_check, loading, login, visit
from tests.conftest import make_config
from tests.live_world import live_world
from tests.serving import HttpClient, serve

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

WITHIN_MS = 2000  # issue 18: a change on one server reaches the other's pages within 2 s
REPLANS = 6
BOARD = {"width": 1920, "height": 1080}
PHONE_PERSON = 5  # world.people[5] holds the phone
_databases = itertools.count(1)


@dataclass(frozen=True)
class Room:
    url: str
    session_id: int
    organiser: str
    phone: str  # e-mail of the person holding the phone
    phone_id: int
    names: dict[int, str]  # user id -> name, the crowd
    api_token: str  # the organiser's, for GET …/live


# --- the database and the two servers ------------------------------------------------------


@pytest.fixture
def room_url(pg_cluster) -> Iterator[str]:
    """A database of its own: the servers' LISTEN connections hold it until they stop."""
    name = f"meetingapp_live_browser_{next(_databases)}"
    yield pg_cluster.create_database(name)
    pg_cluster.drop_database(name)


@pytest.fixture
def room(room_url) -> Iterator[Room]:
    """Twelve people, four rounds of 20 minutes, a published rotation; the session starts in
    five minutes (the servers run on the real clock). The test keeps an app context for its
    own reads of the database."""
    app = create_app(make_config(room_url))
    with app.app_context():
        db.create_all()
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
        world = live_world(start=start)
        now = start - timedelta(minutes=5)
        live_row(world.session.id, world.organiser, now)
        person = world.people[PHONE_PERSON]
        yield Room(
            url=room_url,
            session_id=world.session.id,
            organiser=world.organiser.email,
            phone=person.email,
            phone_id=person.id,
            names={p.id: p.name for p in world.people},
            api_token=issue_token(user=world.organiser, name="test", now=now).secret,
        )
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def servers(room):
    """Server A (the console) and server B (the board and the phone)."""
    options = {"workers": 1, "worker_class": "gthread", "threads": 32}
    with serve(room.url, **options) as a, serve(room.url, **options) as b:
        yield a, b
        for server in (a, b):
            log = server.log()
            assert "Traceback" not in log, log[-4000:]


@pytest.fixture
def live_server(servers) -> LiveServer:
    """The ``pages`` fixture opens its pages on server A."""
    return LiveServer(servers[0].url, app=None)


# --- reading the database and the pages ------------------------------------------------------


def _seats(session_id: int) -> tuple[int, dict[tuple[int, int], str]]:
    """(plan version, {(user id, round from 0): table code}) of the published plan."""
    db.session.rollback()
    plan = latest_plan(session_id, published_only=True)
    codes = dict(
        db.session.execute(
            select(TopicTable.id, TopicTable.code).where(TopicTable.session_id == session_id)
        ).all()
    )
    seats = {(a.user_id, a.round_number): codes[a.table_id] for a in plan.assignments}
    version = plan.version
    db.session.rollback()
    return version, seats


def _board_token(session_id: int) -> str:
    db.session.rollback()
    token = db.session.get(LiveSession, session_id).board_token
    db.session.rollback()
    return token


def _open(pages, device: str, email: str | None = None):
    """A page in a fresh context on ``device``, logged in as ``email`` (on server A: the
    session cookie holds for server B too, same host and same secret key)."""
    pages.device = device
    try:
        page = pages.new()
    finally:
        pages.device = "desktop"
    if email:
        login(page, email, factories.PASSWORD)
    return page


def _seconds(text: str) -> int:
    minutes, seconds = text.strip().split(":")
    return int(minutes) * 60 + int(seconds)


def _clock(page) -> int:
    return _seconds(page.locator("[data-clock]").inner_text())


def _round(tr, n: int, of: int = 4) -> str:
    return tr("Round {n} of {of}").replace("{n}", str(n)).replace("{of}", str(of))


def _tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is the button called ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.tagName === 'BUTTON' ? e.textContent.trim() : null; }"
        )
        if focused == name:
            return
    pytest.fail(f"Tab never reached the button {name!r}")


class Watch:
    """Checks that the board and the phone show a change within 2 s of the click."""

    def __init__(self) -> None:
        self.latencies: dict[str, float] = {}

    def within(self, label: str, started: float, *checks) -> None:
        from playwright.sync_api import expect

        for locator, text in checks:
            left = WITHIN_MS - (time.monotonic() - started) * 1000
            expect(locator).to_have_text(text, timeout=max(left, 1))
        elapsed = time.monotonic() - started
        self.latencies[label] = elapsed
        assert elapsed * 1000 <= WITHIN_MS, f"{label}: {elapsed:.2f} s"


# --- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_console_board_and_phone_follow_the_room_across_two_servers(pages, tr, lang, room, servers):
    from playwright.sync_api import expect

    server_b = servers[1].url
    sid = room.session_id
    _version, seats = _seats(sid)
    watch = Watch()

    console = _open(pages, "desktop", room.organiser)
    visit(console, f"/live/sessions/{sid}")
    board_link = console.get_by_label(tr("Board link (for the projector; keep it to the room)"))
    token = urlsplit(board_link.input_value()).path.rsplit("/", 1)[1]
    assert token == _board_token(sid)

    board = _open(pages, "desktop")
    board.set_viewport_size(BOARD)
    with board.expect_response(re.compile(r"/stream$")):
        visit(board, f"{server_b}/live/board/{token}")
    phone = _open(pages, "phone", room.phone)
    with phone.expect_response(re.compile(r"/stream$")):
        visit(phone, f"{server_b}/live/sessions/{sid}/me")
    expect(phone.locator("[data-phase]")).to_have_text(tr("Not started yet"))
    me = room.phone_id

    # Start, with the keyboard: round 1 on the board and the phone (server B) within 2 s.
    _tab_to(console, tr("Start round 1"))
    started = time.monotonic()
    with loading(console):
        console.keyboard.press("Enter")
        watch.within(
            "start",
            started,
            (board.locator("[data-round]"), _round(tr, 1)),
            (board.locator("[data-phase]"), tr("Talking")),
            (phone.locator("[data-round]"), _round(tr, 1)),
            (phone.locator("[data-stop='now'] [data-table]"), seats[(me, 0)]),
        )
    expect(board.locator("[data-board-round]")).to_have_text(
        tr("Where to sit in round {n}").replace("{n}", "2")
    )

    # Next phase: moving to round 2, then talking in round 2.
    next_phase = console.get_by_role("button", name=tr("Next phase"), exact=True)
    started = time.monotonic()
    with loading(console):
        next_phase.click()
        watch.within(
            "move",
            started,
            (board.locator("[data-phase]"), tr("Move now")),
            (board.locator("[data-round]"), _round(tr, 2)),
            (phone.locator("[data-phase]"), tr("Move now")),
            (phone.locator("[data-stop='now'] [data-table]"), seats[(me, 1)]),
        )
    started = time.monotonic()
    with loading(console):
        console.get_by_role("button", name=tr("Next phase"), exact=True).click()
        watch.within(
            "round 2",
            started,
            (board.locator("[data-phase]"), tr("Talking")),
            (
                board.locator("[data-board-round]"),
                tr("Where to sit in round {n}").replace("{n}", "3"),
            ),
            (phone.locator("[data-phase]"), tr("Talking")),
            (phone.locator("[data-stop='next'] [data-table]"), seats[(me, 2)]),
        )
    board.screenshot(path=f"/tmp/live-board-{lang}.png")
    phone.screenshot(path=f"/tmp/live-phone-{lang}.png")

    # The phone loses the network: the countdown keeps running on the phone's own.
    phone.context.set_offline(True)
    expect(phone.locator(".live-offline-note")).to_be_visible(timeout=5000)
    first, read_at = _clock(phone), time.monotonic()
    phone.wait_for_timeout(3000)
    second, elapsed = _clock(phone), time.monotonic() - read_at
    assert abs((first - second) - elapsed) <= 1.5, (first, second, elapsed)
    # While it is offline the organiser adds a minute: the phone learns it on reconnecting.
    with loading(console):
        console.get_by_label(tr("Minutes"), exact=True).fill("1")
        console.get_by_role("button", name=tr("Extend"), exact=True).click()
    phone.context.set_offline(False)
    expect(phone.locator(".live-offline-note")).to_be_hidden(timeout=10_000)
    api = HttpClient(server_b)

    def disagreement() -> int:
        shown = _clock(phone)
        answer = api.api("GET", f"/api/v1/sessions/{sid}/live", token=room.api_token)
        assert answer.status == 200
        return abs(shown - answer.json()["seconds_left"])

    deadline = time.monotonic() + 10
    while disagreement() > 2 and time.monotonic() < deadline:
        phone.wait_for_timeout(250)
    assert disagreement() <= 2
    assert _clock(phone) > first  # the extra minute arrived

    # Two no-shows in round 2 (people at the phone's table in round 3), then re-plan.
    table_now = seats[(me, 2)]
    gone = [u for (u, r), code in sorted(seats.items()) if r == 2 and code == table_now and u != me]
    gone = (gone + [u for u in room.names if u not in gone and u != me])[:2]
    for user_id in gone:
        name = room.names[user_id]
        with loading(console):
            console.get_by_role("button", name=f"{tr('Mark absent')} {name}", exact=True).click()
        expect(console.locator(".flash-success")).to_have_text(
            tr("Saved: re-plan the rounds left to seat people anew.")
        )
    _version, before = _seats(sid)
    for attempt in range(1, REPLANS + 1):
        for page in (phone, board):  # gone once the page reloads for the new plan
            page.evaluate("window.beforeReplan = true")
        clicked = time.time()  # the phone's clock is this machine's: compare epochs
        with console.expect_event("load"):
            console.locator("form[action$='/replan'] button").click()
        # The phone reloads for the new plan as soon as it hears of it (from server B).
        phone.wait_for_function("() => !window.beforeReplan", timeout=10_000, polling=50)
        phone.wait_for_load_state("load")
        loaded = phone.evaluate(
            "() => performance.timeOrigin"
            " + performance.getEntriesByType('navigation')[0].loadEventEnd"
        )
        watch.latencies[f"re-plan {attempt}"] = seconds = loaded / 1000 - clicked
        assert seconds * 1000 <= WITHIN_MS, f"re-plan {attempt}: the phone after {seconds:.2f} s"
        # What the reloaded phone shows is the plan in the database after the re-plan.
        _version, after = _seats(sid)
        assert all((u, r) not in after for u in gone for r in (2, 3))
        expect(phone.locator("[data-stop='next'] [data-table]")).to_have_text(after[(me, 2)])
        board.wait_for_function("() => !window.beforeReplan", timeout=5000, polling=50)
        for page in (console, phone, board):
            axe_check(page)
        moved = after[(me, 2)] != before[(me, 2)]
        before = after
        if moved:
            break
    else:
        pytest.fail(f"{REPLANS} re-plans never moved the phone's person in round 3")
    expect(board.locator("[data-board-round]")).to_have_text(
        tr("Where to sit in round {n}").replace("{n}", "3")
    )
    print(
        f"[{lang}] from the click to the other server's pages: "
        + ", ".join(
            f"{label} {seconds * 1000:.0f} ms" for label, seconds in watch.latencies.items()
        )
    )

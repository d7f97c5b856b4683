"""Live mode in three Chromium pages on two app servers: the organiser's console on server A,
the room board and a participant's phone on server B, both gunicorn (gthread) on one PostgreSQL
database, so every change crosses servers through LISTEN/NOTIFY.

The organiser starts the session with the keyboard and runs it with "Next phase" to round 2;
each time the board and the phone show the new phase within 2 s of the click. The time is taken
in the pages (this machine's clock): from the console's form submission (the navigation start
of the page it loads) to the moment the text appears on the other server's pages, so the pace
of Playwright itself on a loaded machine does not count. The phone then loses the network: its
countdown keeps running, and once back online it shows the minute the organiser added meanwhile
and agrees with GET /api/v1/sessions/{id}/live to ±2 s. Two people are marked absent in round 2
and the rounds left are re-planned: the phone of a person moved shows their new round-3 table,
read from the database after the re-plan, within 2 s of the click (and the board its new list),
both without reloading.

The no-shows are first the people at the phone holder's round-3 table. Whether that moves the
holder depends on the plan (on a loaded machine the planner's search may end at its deadline
and seat people otherwise), so when it does not, two more people do not come and the rounds
are re-planned again, up to ``ATTEMPTS`` times, each re-plan checked the same way.

Once in English and once in Chinese; every page is checked with axe-core; screenshots of the
board (1920×1080, talking and moving) and the phone (390×844) are saved as
/tmp/live-board-<lang>.png, /tmp/live-board-moving-<lang>.png and /tmp/live-phone-<lang>.png.
A failure names what the board's and the phone's streams received (``RECORD_STREAMS``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
from tests.serving import HttpClient, start_gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

WITHIN_MS = 2000  # issue 18: a change on one server reaches the other's pages within 2 s
ATTEMPTS = 3  # re-plans, two more no-shows each, until the phone's person is moved
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
    """Server A (the console) and server B (the board and the phone), booted at once."""
    options = {"workers": 1, "worker_class": "gthread", "threads": 32}
    started = []
    try:
        with ThreadPoolExecutor(2) as pool:
            booting = [pool.submit(start_gunicorn, room.url, **options) for _ in range(2)]
        started = [f.result() for f in booting if f.exception() is None]
        for future in booting:
            future.result()  # raises what kept a server from starting (the other stops below)
        yield started[0], started[1]
        for server in started:
            log = server.log()
            assert "Traceback" not in log, log[-4000:]
    finally:
        with ThreadPoolExecutor(2) as pool:  # each takes a few seconds on a busy machine
            list(pool.map(lambda server: server.stop(), started))


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


# What the clock shows, in seconds, and when (the page's epoch ms), read in one go.
READ_CLOCK = """() => {
  const [m, s] = document.querySelector("[data-clock]").textContent.trim().split(":");
  return [Number(m) * 60 + Number(s), Date.now()];
}"""
# True once the clock shows at most (or, with "above", more than) the given seconds.
CLOCK_PAST = """([limit, above]) => {
  const [m, s] = document.querySelector("[data-clock]").textContent.trim().split(":");
  const shown = Number(m) * 60 + Number(s);
  return above ? shown > limit : shown <= limit;
}"""


def _clock(page) -> tuple[int, float]:
    """(seconds the countdown shows, when: epoch seconds on the page's clock)."""
    shown, at = page.evaluate(READ_CLOCK)
    return shown, at / 1000


def _submitted_at(page) -> float:
    """When (epoch seconds) the page's current document was asked for: for a page loaded by a
    form, the moment the form was sent (its navigation began with the click or the key)."""
    return page.evaluate("performance.timeOrigin") / 1000


def _round(tr, n: int, of: int = 4) -> str:
    return tr("Round {n} of {of}").replace("{n}", str(n)).replace("{of}", str(of))


def _where(tr, n: int) -> str:
    return tr("Where to sit in round {n}").replace("{n}", str(n))


# Records, in the page, what its live streams and its seat fetches did, so that a failure can
# say whether a change reached the page, and what the page then did with it.
RECORD_STREAMS = """(() => {
  const log = window.liveLog = [];
  const note = (what) => log.push([Date.now(), what]);
  const Native = window.EventSource;
  window.EventSource = function (url, options) {
    const source = new Native(url, options);
    note("stream opened");
    source.addEventListener("live", (e) => {
      const d = JSON.parse(e.data);
      note(`event v${d.version}: ${d.state} round ${d.round}, plan ${d.plan_version}`);
    });
    source.addEventListener("error", () => note(`stream error (readyState ${source.readyState})`));
    const close = source.close.bind(source);
    source.close = () => { note("stream closed"); close(); };
    return source;
  };
  window.EventSource.CLOSED = Native.CLOSED;
  const fetch = window.fetch.bind(window);
  window.fetch = (url, init) => {
    note("fetch " + url);
    return fetch(url, init).then(
      (r) => { note("fetched: HTTP " + r.status); return r; },
      (e) => { note("fetch failed: " + e); throw e; });
  };
  window.addEventListener("online", () => note("online"));
  window.addEventListener("offline", () => note("offline"));
  window.addEventListener("pagehide", () => note("page left"));
})()"""


def _heard(page, since: float) -> str:
    """What the page's streams received since ``since`` (epoch seconds), one line each."""
    try:
        log = page.evaluate("window.liveLog || []")
    except Exception as exc:  # noqa: BLE001 - the page may be gone: the failure says more
        return f"    (no log: {exc})"
    lines = [f"    {(at / 1000 - since):+7.2f} s  {what}" for at, what in log if at / 1000 >= since]
    return "\n".join(lines) or "    (nothing)"


class RoomPages:
    """The board and the phone on server B, and what to say when they do not follow."""

    def __init__(self, board, phone) -> None:
        self.board, self.phone = board, phone

    def explain(self, since: float) -> str:
        return (
            "seconds since the click, on the board:\n"
            + _heard(self.board, since)
            + "\non the phone:\n"
            + _heard(self.phone, since)
        )

    def expect(self, locator, since: float, *, text: str | None = None, count: int | None = None):
        """Playwright's expect (10 s), its failure followed by what the streams received."""
        from playwright.sync_api import expect

        try:
            if text is not None:
                expect(locator).to_have_text(text, timeout=10_000)
            else:
                expect(locator).to_have_count(count, timeout=10_000)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.explain(since)}") from None


# Notes, in the page, the time (epoch ms) live.js shows a new plan: it sets data-plan-version
# on the page's root once the new seats are on screen.
NOTE_NEW_PLAN = """() => {
  window.planShownAt = null;
  new MutationObserver(() => { window.planShownAt = Date.now(); }).observe(
    document.querySelector("[data-live]"),
    {attributes: true, attributeFilter: ["data-plan-version"]});
}"""


def _shown_at(page) -> float:
    """When (epoch seconds) the page put the new plan on screen."""
    shown = page.evaluate("window.planShownAt")
    assert shown is not None, "the page loaded again instead of showing the new plan in place"
    return shown / 1000


def _no_show_pairs(seats: dict, me: int, people: list[int]) -> list[list[int]]:
    """Pairs of people to mark absent one after the other, most likely first to move ``me`` in
    round 3: those at ``me``'s round-3 table, then others."""
    mates = [u for (u, r), code in sorted(seats.items()) if r == 2 and code == seats[(me, 2)]]
    order = [u for u in mates if u != me] + [u for u in people if u not in mates and u != me]
    return [order[i : i + 2] for i in range(0, min(len(order), 2 * ATTEMPTS), 2)]


def _mark_absent(console, tr, name: str) -> None:
    """Mark someone absent with the console's button on their row."""
    from playwright.sync_api import expect

    with loading(console):
        console.get_by_role("button", name=f"{tr('Mark absent')} {name}", exact=True).click()
    expect(console.locator(".flash-success")).to_have_text(
        tr("Saved: re-plan the rounds left to seat people anew.")
    )


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


# Notes, in the page, when (epoch ms) the element first shows the text; says whether it shows
# it already.
SEE_TEXT = """([selector, text]) => {
  window.liveSeen = window.liveSeen || {};
  const key = selector + "=" + text;
  window.liveSeen[key] = null;
  const check = () => {
    const node = document.querySelector(selector);
    if (window.liveSeen[key] === null && node && node.textContent.trim() === text) {
      window.liveSeen[key] = Date.now();
    }
  };
  new MutationObserver(check).observe(
    document.body, {subtree: true, childList: true, characterData: true});
  check();
  return window.liveSeen[key] !== null;
}"""


class Watch:
    """Times a change from the organiser's click to the text on the other server's pages."""

    def __init__(self, room_pages: RoomPages) -> None:
        self.room_pages = room_pages
        self.latencies: dict[str, float] = {}
        self._armed: list[tuple] = []

    def arm(self, *checks: tuple) -> None:
        """Before the click: (page, CSS selector, the text it must come to show), …

        A text a page shows already (the next table, known before the phase changes) is
        checked afterwards but not timed; each page must have at least one change to time."""
        self._armed = []
        for page, selector, text in checks:
            shown = page.evaluate(SEE_TEXT, [selector, text])
            self._armed.append((page, selector, text, not shown))
        for page in {c[0] for c in checks}:
            assert any(c[3] for c in self._armed if c[0] is page), "nothing to time on a page"

    def within(self, label: str, clicked: float) -> None:
        seen = []
        for page, selector, text, timed in self._armed:
            self.room_pages.expect(page.locator(selector), clicked, text=text)
            if timed:
                at = page.evaluate("(key) => window.liveSeen[key]", f"{selector}={text}")
                assert at is not None, f"{label}: a page loaded again instead of updating"
                seen.append(at / 1000)
        self.latencies[label] = seconds = max(seen) - clicked
        assert seconds * 1000 <= WITHIN_MS, (
            f"{label}: {seconds:.2f} s\n{self.room_pages.explain(clicked)}"
        )


# --- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_console_board_and_phone_follow_the_room_across_two_servers(pages, tr, lang, room, servers):
    from playwright.sync_api import expect

    server_b = servers[1].url
    sid = room.session_id
    _version, seats = _seats(sid)

    console = _open(pages, "desktop", room.organiser)
    visit(console, f"/live/sessions/{sid}")
    board_link = console.get_by_label(tr("Board link (for the projector; keep it to the room)"))
    token = urlsplit(board_link.input_value()).path.rsplit("/", 1)[1]
    assert token == _board_token(sid)

    board = _open(pages, "desktop")
    board.add_init_script(RECORD_STREAMS)
    board.set_viewport_size(BOARD)
    with board.expect_response(re.compile(r"/stream$")):
        visit(board, f"{server_b}/live/board/{token}")
    phone = _open(pages, "phone", room.phone)
    phone.add_init_script(RECORD_STREAMS)
    with phone.expect_response(re.compile(r"/stream$")):
        visit(phone, f"{server_b}/live/sessions/{sid}/me")
    expect(phone.locator("[data-phase]")).to_have_text(tr("Not started yet"))
    me = room.phone_id
    room_pages = RoomPages(board, phone)
    watch = Watch(room_pages)

    # Start, with the keyboard: round 1 on the board and the phone (server B) within 2 s.
    _tab_to(console, tr("Start round 1"))
    watch.arm(
        (board, "[data-round]", _round(tr, 1)),
        (board, "[data-phase]", tr("Talking")),
        (board, "[data-board-round]", _where(tr, 2)),
        (phone, "[data-round]", _round(tr, 1)),
        (phone, "[data-stop='now'] [data-table]", seats[(me, 0)]),
    )
    with loading(console):
        console.keyboard.press("Enter")
    watch.within("start", _submitted_at(console))

    # Next phase: moving to round 2, then talking in round 2.
    watch.arm(
        (board, "[data-phase]", tr("Move now")),
        (board, "[data-round]", _round(tr, 2)),
        (phone, "[data-phase]", tr("Move now")),
        (phone, "[data-stop='now'] [data-table]", seats[(me, 1)]),
    )
    with loading(console):
        console.get_by_role("button", name=tr("Next phase"), exact=True).click()
    watch.within("move", _submitted_at(console))
    board.screenshot(path=f"/tmp/live-board-moving-{lang}.png")
    watch.arm(
        (board, "[data-phase]", tr("Talking")),
        (board, "[data-board-round]", _where(tr, 3)),
        (phone, "[data-phase]", tr("Talking")),
        (phone, "[data-stop='next'] [data-table]", seats[(me, 2)]),
    )
    with loading(console):
        console.get_by_role("button", name=tr("Next phase"), exact=True).click()
    watch.within("round 2", _submitted_at(console))
    board.screenshot(path=f"/tmp/live-board-{lang}.png")
    phone.screenshot(path=f"/tmp/live-phone-{lang}.png")

    # The phone loses the network: the countdown keeps running on the phone's own, second for
    # second (both readings on the phone's clock; the display rounds up to the second).
    phone.context.set_offline(True)
    expect(phone.locator(".live-offline-note")).to_be_visible(timeout=5000)
    first, first_at = _clock(phone)
    phone.wait_for_function(CLOCK_PAST, arg=[first - 3, False], polling=100, timeout=10_000)
    second, second_at = _clock(phone)
    assert abs((first - second) - (second_at - first_at)) <= 1.5, (first, second, first_at)
    # While it is offline the organiser adds a minute: the phone learns it on reconnecting.
    with loading(console):
        console.get_by_label(tr("Minutes"), exact=True).fill("1")
        console.get_by_role("button", name=tr("Extend"), exact=True).click()
    extended_at = _submitted_at(console)
    phone.context.set_offline(False)
    expect(phone.locator(".live-offline-note")).to_be_hidden(timeout=10_000)
    try:  # the extra minute arrives (less the few seconds this takes)
        phone.wait_for_function(CLOCK_PAST, arg=[second + 30, True], polling=100, timeout=10_000)
    except Exception as exc:
        raise AssertionError(f"{exc}\n{room_pages.explain(extended_at)}") from None
    # And it agrees with the server: what GET …/live said, carried back to the phone's reading.
    shown, shown_at = _clock(phone)
    answer = HttpClient(server_b).api("GET", f"/api/v1/sessions/{sid}/live", token=room.api_token)
    assert answer.status == 200
    live = answer.json()
    server_at = datetime.fromisoformat(live["server_time"].replace("Z", "+00:00")).timestamp()
    assert abs(shown - (live["seconds_left"] + (server_at - shown_at))) <= 2, (shown, live)

    # Two no-shows in round 2, then re-plan: the phone of a person moved shows the new table.
    _version, before = _seats(sid)
    gone = []
    for attempt, pair in enumerate(_no_show_pairs(seats, me, list(room.names)), start=1):
        for user_id in pair:
            _mark_absent(console, tr, room.names[user_id])
        gone += pair
        for page in (phone, board):
            page.evaluate(NOTE_NEW_PLAN)
        with loading(console):
            console.locator("form[action$='/replan'] button").click()
        clicked = _submitted_at(console)
        # The re-plan has committed (the console is back): what the database now says is what
        # the phone and the board on server B must show, without reloading.
        version, after = _seats(sid)
        assert all((u, r) not in after for u in gone for r in (2, 3))
        new_plan = f"[data-live][data-plan-version='{version}']"
        room_pages.expect(phone.locator(new_plan), clicked, count=1)
        watch.latencies[f"re-plan {attempt}"] = seconds = _shown_at(phone) - clicked
        assert seconds * 1000 <= WITHIN_MS, (
            f"re-plan {attempt}: the phone after {seconds:.2f} s\n{room_pages.explain(clicked)}"
        )
        next_table = phone.locator("[data-stop='next'] [data-table]")
        room_pages.expect(next_table, clicked, text=after[(me, 2)])
        room_pages.expect(board.locator(new_plan), clicked, count=1)
        row = board.locator(".board-list li", has_text=room.names[me])
        room_pages.expect(row.locator(".board-table"), clicked, text=after[(me, 2)])
        for page in (phone, board):
            axe_check(page)
        if after[(me, 2)] != before[(me, 2)]:
            break
        before = after
    else:
        pytest.fail("no re-plan moved the phone's person in round 3")
    expect(board.locator("[data-board-round]")).to_have_text(_where(tr, 3))
    print(
        f"[{lang}] from the click to the other server's pages: "
        + ", ".join(
            f"{label} {seconds * 1000:.0f} ms" for label, seconds in watch.latencies.items()
        )
    )

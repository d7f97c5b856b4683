"""Shared fixtures for the browser tests: Debian's Chromium driven by Playwright against the app
served by a real WSGI server on loopback.

- ``browser``: Chromium at /usr/bin/chromium, headless (Playwright's own browser download does not
  work here). Missing: the tests are skipped with a reason, or fail under ``CI=true``.
- ``live_server``: ``create_app(make_config(url))`` for the test's database (the ``app`` fixture's
  URL: a copy of the demo with ``@pytest.mark.demo``), served by a werkzeug thread on
  127.0.0.1:<free port>. The server is a second app with its own connection pool on the same
  database, like a real deployment; ``live_server.app.config`` takes settings such as FROZEN_NOW.
  The test's own ``db.session`` is for arranging and asserting. It must hold no transaction while
  the browser works (on SQLite a transaction keeps reading its first snapshot): ``visit``,
  ``loading`` and ``pages.new`` end it for you (``release_test_session``); keep plain ids, not
  ORM objects, across browser steps.
- ``device``: "desktop" (1280×900) or "phone" (390×844, touch, mobile). ``lang``: the interface
  language the browser asks for (Accept-Language): "en", "fr", "es", "ru", "ar" or "zh_Hans".
  ``on_each_device`` parametrises a test over (database, device, language), ``VARIANTS``: every
  language on the desktop and the phone in Arabic and Russian, on SQLite (a page is the same
  whatever the database). Tests write the
  interface text they expect through ``tr`` (``tr("Save my picks")``, ``tr("Round %(number)s",
  number=1)``): the catalogue's translation, so every test runs once in each language.
- ``pages``: ``pages.new(email=None)`` opens a page in a fresh browser context (its own cookies,
  the test's language), logged in when given an e-mail, with ``base_url`` set so
  ``page.goto("/auth/login")`` works.
  Every page records console errors (CSP violations included), uncaught script errors, responses
  of 400 and above (a favicon 404 too) and every page it loads. A test that passes is failed
  afterwards if any page reported a problem, or loaded a page that ``axe_check`` did not check.
- ``axe_check(page)``: axe-core (axe-playwright-python) on the current page; fails on any
  violation of impact "serious" or "critical", naming rule, help and nodes, and when
  ``<html lang>`` is not the language asked for or ``<html dir>`` not its direction ("rtl" in
  Arabic, "ltr" elsewhere). On the phone it also
  fails when the page scrolls sideways. Findings listed in ``KNOWN_BUGS`` (app bugs reported,
  not yet fixed) let the test run to its end and then mark it xfail with the bug's reason.
- ``visit(page, path)`` goes to a page and checks it; ``with loading(page): <click>`` waits for
  the page a click or key loads and checks it; ``login(page, email)`` logs in through the form;
  ``screenshot(page, name)`` saves /tmp/browser-phone-<name>-<lang>.png on the phone.
- axe's verdict is a function of the page's markup and stylesheet, not of the words in it: a
  page whose markup (every element and attribute, with text reduced to "some text here") is the
  same as one already found clean, in the same language and on the same device, is not checked
  again (``_markup_key``; a hidden input's value, the CSRF token, is left out). This halves axe's
  share of the browser tests; the language, sideways-scrolling and load checks still run on
  every page.
- ``AXE_REPORT=/tmp/axe.json pytest tests/browser`` writes every checked page with all its
  violations (any impact) as JSON (and checks every page, seen before or not).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from flask import Flask, has_app_context
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from meetingapp import create_app
from meetingapp.extensions import db
from meetingapp.models import Event, SessionKind
from tests.conftest import make_config
from tests.translate import BROWSER_LOCALE, Tr

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "demo-password"  # app.config["DEMO_PASSWORD"]; checked in live_server
DEVICES: dict[str, dict] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Every flow in the six languages on the desktop, and on the phone in Arabic (right to left) and
# Russian (the longest words, the first to overflow a narrow screen). On SQLite: a page is the
# same whatever the database, and every use case these flows drive runs on PostgreSQL in the
# functional tests (the valid-HTML crawl and the authorization matrix visit every page there);
# the live mode's browser test runs on PostgreSQL with Redis across two servers.
VARIANTS = [
    ("sqlite", "desktop", "en"),
    ("sqlite", "desktop", "fr"),
    ("sqlite", "desktop", "es"),
    ("sqlite", "desktop", "ru"),
    ("sqlite", "desktop", "ar"),
    ("sqlite", "desktop", "zh_Hans"),
    ("sqlite", "phone", "ar"),
    ("sqlite", "phone", "ru"),
]
on_each_device = pytest.mark.parametrize(
    ("backend", "device", "lang"), VARIANTS, ids=[f"{b}-{d}-{lang}" for b, d, lang in VARIANTS]
)
SERIOUS = ("serious", "critical")
SCREENSHOTS = Path("/tmp")
# Every page axe checked, with its violations of any impact: JSON in the file AXE_REPORT names.
_AXE_SEEN: list[dict] = []


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module.

    Module scope, not session: Playwright's sync API refuses a second ``sync_playwright()`` while
    one is running in the thread, and a module with its own browser fixture would then fail.
    Launching takes well under a second.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        pytest.fail("axe-playwright-python is missing: .venv/bin/pip install -e '.[dev]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def device() -> str:
    """The viewport; ``on_each_device`` parametrises it."""
    return "desktop"


@pytest.fixture
def lang() -> str:
    """The interface language the browser asks for; ``on_each_device`` parametrises it."""
    return "en"


@pytest.fixture
def tr(lang) -> Tr:
    """Expected interface text in the test's language: ``tr("Save")``, ``tr.ordinal(1)``."""
    return Tr(lang)


# --- the live server -----------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request is noise here
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask  # the server's own app: tests may set config such as FROZEN_NOW on it


@pytest.fixture
def live_server(app, database_url) -> Iterator[LiveServer]:
    """The app for the test's database on a free loopback port (a werkzeug thread per request).

    The ``app`` fixture has prepared the database (a demo copy, or tables created); the server
    gets its own app and connection pool, so its requests never share the test's session.
    """
    server_app = create_app(make_config(database_url))
    assert server_app.config["DEMO_PASSWORD"] == DEMO_PASSWORD
    db.session.rollback()  # the test's session holds nothing while the server works
    server = make_server("127.0.0.1", 0, server_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server_app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        with server_app.app_context():
            db.engine.dispose()  # before the test's database is emptied or dropped


# --- pages and what they report ------------------------------------------------------------------


@dataclass
class _Watch:
    """What one page reported: problems, known app bugs, and loaded pages axe has not checked."""

    device: str
    lang: str = "en"
    problems: list[str] = field(default_factory=list)
    known: dict[str, None] = field(default_factory=dict)  # reasons of KNOWN_BUGS seen
    unchecked: dict[str, None] = field(default_factory=dict)  # URLs loaded, not yet checked


_WATCHES: dict[object, _Watch] = {}
_PAGES = pytest.StashKey["Pages"]()


def _url(page) -> str:
    return urldefrag(page.url).url


def _watch(page, device: str, lang: str = "en") -> _Watch:
    watch = _WATCHES[page] = _Watch(device, lang)

    def on_console(message) -> None:
        if message.type == "error":  # script errors, CSP violations, failed loads
            where = (message.location or {}).get("url") or _url(page)
            watch.problems.append(f"console error on {where}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.problems.append(f"uncaught error: {error}"))
    page.on(
        "response",
        lambda r: (
            watch.problems.append(f"HTTP {r.status} for {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    page.on("load", lambda p: watch.unchecked.setdefault(_url(p)))
    return watch


class Pages:
    """Opens pages on the live server, each in its own browser context (its own log-in)."""

    def __init__(self, browser, device: str, base_url: str, lang: str = "en") -> None:
        self.browser, self.device, self.base_url, self.lang = browser, device, base_url, lang
        self.contexts: list = []
        self.pages: list = []

    def new(self, email: str | None = None):
        """A page in a new context; logged in as ``email`` (demo password) when given."""
        release_test_session()
        context = self.browser.new_context(
            base_url=self.base_url,
            accept_downloads=True,
            locale=BROWSER_LOCALE[self.lang],
            **DEVICES[self.device],
        )
        context.add_init_script(script=_axe_source())  # axe_check need not send it per page
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        _watch(page, self.device, self.lang)
        self.pages.append(page)
        if email:
            login(page, email)
        return page

    def watches(self) -> list[_Watch]:
        return [_WATCHES[p] for p in self.pages if p in _WATCHES]

    def close(self) -> None:
        for page in self.pages:
            _WATCHES.pop(page, None)
        for context in self.contexts:
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a passing test: fail on what the pages reported; xfail on known app bugs only."""
    result = yield
    opened = item.stash.get(_PAGES, None)
    if opened is None:
        return result
    failures, known = [], {}
    for watch in opened.watches():
        failures += watch.problems
        failures += [f"loaded but not checked by axe_check: {u}" for u in watch.unchecked]
        known.update(watch.known)
    if failures:
        pytest.fail("the browser reported:\n  " + "\n  ".join(failures), pytrace=False)
    if known:
        pytest.xfail("; ".join(known))
    return result


@pytest.fixture
def pages(browser, live_server, device, lang, request) -> Iterator[Pages]:
    opened = Pages(browser, device, live_server.url, lang)
    request.node.stash[_PAGES] = opened
    yield opened
    report = request.node.stash.get(_REPORT, None)
    if report is not None and report.failed and not hasattr(report, "wasxfail"):
        for number, page in enumerate(opened.pages, start=1):
            _save_failure_screenshot(page, request.node.name, number)
    opened.close()


_REPORT = pytest.StashKey["pytest.TestReport"]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_REPORT] = report
    return report


def _save_failure_screenshot(page, test_name: str, number: int) -> None:
    safe = re.sub(r"[^\w.-]+", "_", test_name)
    path = SCREENSHOTS / f"browser-failure-{safe}-{number}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a failing test's page may be gone; the failure says more
        print(f"no failure screenshot ({exc})")
    else:
        print(f"failure screenshot: {path}")


# --- helpers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownBug:
    """A serious axe finding that is the app's fault, reported to the lead and not yet fixed.

    A test that meets only known bugs (on nodes whose HTML matches ``html``) runs to its end
    and is then marked xfail with ``reason``; any other serious violation fails it.
    """

    rule: str
    html: str  # a regular expression matched at the start of the node's outer HTML
    reason: str


KNOWN_BUGS: list[KnownBug] = []  # none open: add one per reported, unfixed app bug

_AXE_SOURCE: str | None = None
# axe.run on the page, violations only; None when the page has no axe yet (a page not opened by
# ``pages.new``, whose context has axe as an init script). Only the violations come back.
_AXE_RUN = """async (options) => {
  if (typeof window.axe !== "object") return null;
  const results = await window.axe.run(document, options);
  return results.violations;
}"""
_AXE_OPTIONS = {"resultTypes": ["violations"]}


def _axe_source() -> str:
    """axe-core's script (axe-playwright-python's copy), read once."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        from axe_playwright_python.base import AXE_SCRIPT

        _AXE_SOURCE = AXE_SCRIPT
    return _AXE_SOURCE


def _axe_violations(page) -> list[dict]:
    """What axe-playwright-python's ``Axe().run(page)`` reports as violations, without sending
    the 570 kB script to the page at each check when the context already holds it."""
    violations = page.evaluate(_AXE_RUN, _AXE_OPTIONS)
    if violations is None:
        page.evaluate(_axe_source())
        violations = page.evaluate(_AXE_RUN, _AXE_OPTIONS)
    return violations


# The page's markup for ``_markup_key``: elements with every attribute, text as "#t" where an
# element has some, a hidden input's value (the CSRF token) left out.
_MARKUP = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { if (node.nodeValue.trim()) parts.push("#t"); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    parts.push("<" + node.tagName);
    for (const a of node.attributes) {
      if (!(a.name === "value" && node.type === "hidden")) parts.push(a.name + "=" + a.value);
    }
    for (const child of node.childNodes) walk(child);
    parts.push(">");
  };
  walk(document.documentElement);
  return parts.join("\u0001");
}"""
# Markup already found free of serious violations, per device and language.
_AXE_CLEAN: set[tuple[str, str, str]] = set()


def _markup_key(page, device: str, lang: str) -> tuple[str, str, str]:
    markup = page.evaluate(_MARKUP)
    return device, lang, hashlib.sha256(markup.encode()).hexdigest()


def _known(rule: str, node: dict) -> KnownBug | None:
    return next((b for b in KNOWN_BUGS if b.rule == rule and re.match(b.html, node["html"])), None)


def axe_check(page) -> None:
    """axe-core on the current page: no serious or critical violation (and, on a phone, no
    sideways scrolling). Marks the page as checked for the ``pages`` fixture."""
    page.wait_for_load_state("load")
    url = _url(page)
    watch = _WATCHES.get(page)
    device = watch.device if watch else "?"
    key = _markup_key(page, device, watch.lang if watch else "?")
    reporting = bool(os.environ.get("AXE_REPORT"))
    violations = [] if key in _AXE_CLEAN and not reporting else _axe_violations(page)
    if not any(v["impact"] in SERIOUS for v in violations):
        _AXE_CLEAN.add(key)
    _AXE_SEEN.append(
        {
            "url": re.sub(r"^https?://[^/]+", "", url),
            "device": device,
            "violations": [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]],
                }
                for v in violations
            ],
        }
    )
    lines = []
    for v in violations:
        if v["impact"] not in SERIOUS:
            continue
        unknown = []
        for node in v["nodes"]:
            bug = _known(v["id"], node)
            if bug is None:
                unknown.append(node)
            elif watch is not None:
                watch.known.setdefault(bug.reason)
        if unknown:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
            for node in unknown[:8]:
                lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if len(unknown) > 8:
                lines.append(f"    … and {len(unknown) - 8} more nodes")
    if watch is not None:
        watch.unchecked.pop(url, None)
        expected_lang = "en" if watch.lang == "en" else watch.lang.replace("_", "-")
        html_lang = page.evaluate("document.documentElement.lang")
        if html_lang != expected_lang:
            lines.append(f"<html lang={html_lang!r}>, but the browser asked for {expected_lang}")
        expected_dir = "rtl" if watch.lang == "ar" else "ltr"
        html_dir = page.evaluate("document.documentElement.dir")
        if html_dir != expected_dir:
            lines.append(f"<html dir={html_dir!r}>, but {watch.lang} reads {expected_dir}")
    if lines:
        pytest.fail(f"axe on {url} ({device}):\n" + "\n".join(lines), pytrace=False)
    if device == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways on the phone ({overflow}px too wide)"


def release_test_session() -> None:
    """End the test's own database transaction before the browser acts.

    On SQLite (WAL) a transaction keeps reading the snapshot it began with, so a test that read
    something (even an expired attribute) before the browser wrote would not see the browser's
    writes. ``visit``, ``loading`` and ``pages.new`` call this; it discards nothing the server
    could have seen.
    """
    if has_app_context():
        db.session.rollback()


def visit(page, path: str):
    """Go to ``path`` on the live server, check it answers 200 and axe-check it."""
    release_test_session()
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response}"
    axe_check(page)
    return response


@contextmanager
def loading(page) -> Iterator[None]:
    """Wrap an action (a click, a key) that loads a new page: wait for it, then axe-check it.

    with loading(page):
        page.get_by_role("button", name="Save").click()
    """
    release_test_session()
    with page.expect_event("load"):
        yield
    axe_check(page)


def screenshot(page, name: str) -> Path | None:
    """A full-page screenshot of the current page on the phone: /tmp/browser-phone-<name>.png
    in English, /tmp/browser-phone-<name>-<lang>.png in another language."""
    watch = _WATCHES.get(page)
    if watch is None or watch.device != "phone":
        return None
    suffix = "" if watch.lang == "en" else f"-{watch.lang}"
    path = SCREENSHOTS / f"browser-phone-{name}{suffix}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, in the page's language (axe-checking it and the next page)."""
    from playwright.sync_api import expect

    watch = _WATCHES.get(page)
    tr = Tr(watch.lang if watch else "en")
    visit(page, "/auth/login")
    page.get_by_label(tr("E-mail"), exact=True).fill(email)
    page.get_by_label(tr("Password"), exact=True).fill(password)
    with loading(page):
        page.locator("main").get_by_role("button", name=tr("Log in")).click()
    expect(page.locator(".flash-success")).to_be_visible()


def demo_session(event_title: str, kind: SessionKind) -> tuple[int, int]:
    """(event id, session id) of the demo event whose title starts with ``event_title``."""
    event = db.session.scalar(select(Event).where(Event.title.startswith(event_title)))
    assert event is not None, f"no demo event {event_title!r}"
    session = next(s for s in event.sessions if s.kind == kind)
    return event.id, session.id


def pytest_sessionfinish(session) -> None:
    target = os.environ.get("AXE_REPORT")
    if target and _AXE_SEEN:
        Path(target).write_text(json.dumps(_AXE_SEEN, indent=1, ensure_ascii=False))

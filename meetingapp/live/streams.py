"""Server-Sent Events of the live clock, for every gunicorn worker and every app server.

A stream sends ``event: live`` with the snapshot's JSON on connect and on every change, with the
version as its ``id:``, and a comment at least every 15 seconds. Changes reach it three ways:

* made in this process: ``hub.publish`` wakes the waiting streams at once;
* made on another worker or server, on PostgreSQL: one listener thread per process holds
  ``LISTEN meetingapp_live`` and publishes what the other servers NOTIFY;
* on SQLite (one machine), streams look at the version twice a second;
* a phase that runs out: each stream wakes at the end of the phase and reads the state, which
  writes the new phase down once for everybody (``service.snapshot``).

Streams run in gunicorn's threaded workers (``gthread``): a waiting stream holds a thread and no
database connection, so 150 open streams leave the pool to ordinary pages.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

from flask import Flask

from meetingapp import clock
from meetingapp.extensions import db

HEARTBEAT_SECONDS = 15.0
SQLITE_POLL_SECONDS = 0.5
POSTGRES_POLL_SECONDS = 5.0  # a safety net under LISTEN/NOTIFY
MAX_STREAM_SECONDS = 3600.0  # then the browser reconnects (EventSource does, with Last-Event-ID)
RETRY_MILLISECONDS = 2000


class Hub:
    """Wakes this process's streams when a session's version moves."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._versions: dict[int, int] = {}

    def publish(self, session_id: int, version: int) -> None:
        with self._changed:
            if version > self._versions.get(session_id, 0):
                self._versions[session_id] = version
            self._changed.notify_all()

    def wait(self, session_id: int, known: int, timeout: float) -> None:
        """Until a version above ``known`` is published, or ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._versions.get(session_id, 0) > known, timeout)


hub = Hub()


class PostgresListener:
    """One thread per process listening for the other servers' NOTIFY."""

    def __init__(self) -> None:
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def ensure(self, app: Flask) -> bool:
        """Start listening for ``app``'s database; False when it is not PostgreSQL."""
        url = db.engine.url
        if url.get_backend_name() != "postgresql":
            return False
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with self._lock:
            if dsn not in self._started:
                self._started.add(dsn)
                thread = threading.Thread(
                    target=self._listen, args=(app, dsn), name="meetingapp-live", daemon=True
                )
                thread.start()
        return True

    def _listen(self, app: Flask, dsn: str) -> None:
        import psycopg

        from meetingapp.live.service import NOTIFY_CHANNEL

        delay = 0.5
        while True:
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    delay = 0.5
                    for note in conn.notifies():
                        session_id, _, version = note.payload.partition(":")
                        if session_id.isdigit() and version.isdigit():
                            hub.publish(int(session_id), int(version))
            except psycopg.OperationalError as exc:
                if getattr(exc, "sqlstate", None) == "3D000":  # the database was dropped
                    with self._lock:
                        self._started.discard(dsn)
                    return
                app.logger.warning("live: lost the LISTEN connection, reconnecting")
            except Exception:  # noqa: BLE001 - the database may restart; listen again
                app.logger.warning("live: lost the LISTEN connection, reconnecting")
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


listener = PostgresListener()


def format_event(snapshot_json: dict) -> str:
    data = json.dumps(snapshot_json, separators=(",", ":"))
    return f"id: {snapshot_json['version']}\nevent: live\ndata: {data}\n\n"


def event_stream(app: Flask, session_id: int, last_event_id: str | None = None) -> Iterator[str]:
    """The stream's text, chunk by chunk, until the client goes (or an hour has passed).

    ``last_event_id`` (the browser's Last-Event-ID on reconnect) is honoured by comparing it
    with the current version: the connect event always carries the current state, and says in
    ``"missed"`` whether anything changed since that id.
    """
    from meetingapp.live.service import snapshot

    heartbeat = float(app.config.get("LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))
    with app.app_context():
        notified = listener.ensure(app)
    poll = POSTGRES_POLL_SECONDS if notified else SQLITE_POLL_SECONDS
    known = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    sent: int | None = None
    last_write = started = time.monotonic()
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        with app.app_context():
            snap = snapshot(session_id, clock.now())
            db.session.remove()  # no connection is held while the stream waits
        if snap.version != sent:
            payload = snap.as_json()
            if sent is None and known is not None:
                payload["missed"] = snap.version != known
            yield format_event(payload)
            sent, last_write = snap.version, time.monotonic()
        wait = poll
        ends = snap.state.phase_ends_at
        if ends is not None:
            wait = min(wait, max((ends - snap.server_time).total_seconds(), 0) + 0.05)
        wait = min(wait, max(heartbeat - (time.monotonic() - last_write), 0.01))
        hub.wait(session_id, sent, wait)
        if time.monotonic() - last_write >= heartbeat:
            yield ": heartbeat\n\n"
            last_write = time.monotonic()

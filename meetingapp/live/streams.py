"""Server-Sent Events of the live clock, for every gunicorn worker and every app server.

A stream sends ``event: live`` with the snapshot's JSON on connect and on every change, with the
version as its ``id:``, and a heartbeat (a comment and an ``event: ping``) at least every 15
seconds. Changes reach it three ways:

* made in this process: ``hub.publish`` wakes the process's fan-out thread at once;
* made on another worker or server, on PostgreSQL: one listener thread per process holds
  ``LISTEN meetingapp_live`` and publishes what the other servers NOTIFY;
* on SQLite (one machine), the fan-out thread looks at the versions twice a second;
* a phase that runs out: the fan-out thread wakes at the end of the phase and reads the state,
  which writes the new phase down once for everybody (``service.snapshot``).

The fan-out thread (``fanout.py``) reads a session's state once per change for the whole
process and writes it to every stream. Under gunicorn a stream does not keep a request thread:
after the first event its socket is handed to the fan-out thread (``DetachedStream``), so 150
open streams leave gthread's 32 threads to ordinary pages. Other servers keep a thread per
stream (``event_stream``).
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator

from flask import Flask, Response
from werkzeug.http import http_date

from meetingapp import clock
from meetingapp.extensions import db
from meetingapp.live import fanout

HEARTBEAT_SECONDS = 15.0
SQLITE_POLL_SECONDS = 0.5
POSTGRES_POLL_SECONDS = 5.0  # a safety net under LISTEN/NOTIFY
MAX_STREAM_SECONDS = 3600.0  # then the browser reconnects (EventSource does, with Last-Event-ID)
RETRY_MILLISECONDS = 2000
# A comment (what the SSE format calls a heartbeat) and a "ping" event: live.js cannot see
# comments, and takes a connection that has said nothing for a while to be dead.
HEARTBEAT = ": heartbeat\nevent: ping\ndata: {}\n\n"
# Not repeated on a detached stream's own response (it is close-delimited).
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


class Hub:
    """Remembers the newest version published for each session in this process, and wakes the
    fan-out threads when one moves (or when they must read every version again: ``resync``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[int, int] = {}
        self._wakers: list[Callable[[], None]] = []
        self.resyncs = 0  # how many times the fan-out threads were asked to read every version

    def publish(self, session_id: int, version: int) -> None:
        with self._lock:
            if version > self._versions.get(session_id, 0):
                self._versions[session_id] = version
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    def version(self, session_id: int) -> int:
        return self._versions.get(session_id, 0)

    def resync(self) -> None:
        """Changes may have gone unheard (LISTEN was not yet, or no longer, in place): the
        fan-out threads read every watched session's version at once instead of at the next
        poll."""
        with self._lock:
            self.resyncs += 1
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    def add_waker(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._wakers.append(wake)

    def remove_waker(self, wake: Callable[[], None]) -> None:
        with self._lock:
            if wake in self._wakers:
                self._wakers.remove(wake)


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
                    # A change committed before LISTEN took effect (the first stream's own
                    # opening, or an outage) was notified to nobody here: read the versions now.
                    hub.resync()
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


def heartbeat_seconds(app: Flask) -> float:
    return float(app.config.get("LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))


def max_stream_seconds(app: Flask) -> float:
    """How long one stream stays open before the client is made to reconnect
    (``LIVE_STREAM_MAX_SECONDS``; an hour by default)."""
    return float(app.config.get("LIVE_STREAM_MAX_SECONDS", MAX_STREAM_SECONDS))


def _settings(app: Flask) -> tuple[float, float]:
    """(poll seconds, heartbeat seconds) for ``app``; starts the LISTEN thread on PostgreSQL."""
    heartbeat = heartbeat_seconds(app)
    with app.app_context():
        notified = listener.ensure(app)
    return (POSTGRES_POLL_SECONDS if notified else SQLITE_POLL_SECONDS), heartbeat


def opening(session_id: int, last_event_id: str | None) -> tuple[str, int]:
    """The first bytes of a stream (``retry:`` and the current state) and their version.

    ``last_event_id`` (the browser's Last-Event-ID on reconnect) is honoured by comparing it
    with the current version: the connect event always carries the current state, and says in
    ``"missed"`` whether anything changed since that id.
    """
    from meetingapp.live.service import snapshot

    snap = snapshot(session_id, clock.now())
    payload = snap.as_json()
    if last_event_id and last_event_id.isdigit():
        payload["missed"] = snap.version != int(last_event_id)
    return f"retry: {RETRY_MILLISECONDS}\n\n" + format_event(payload), snap.version


def event_stream(app: Flask, session_id: int, last_event_id: str | None = None) -> Iterator[str]:
    """The stream's text, chunk by chunk, until the client goes (or an hour has passed); the
    request thread waits on a queue the fan-out thread fills."""
    poll, heartbeat = _settings(app)
    with app.app_context():
        first, version = opening(session_id, last_event_id)
        db.session.remove()  # no connection is held while the stream waits
    yield first
    ends = time.monotonic() + max_stream_seconds(app)
    subscriber = fanout.QueueSubscriber(session_id, version)
    sender = fanout.subscribe(app, subscriber, poll_seconds=poll, heartbeat=heartbeat)
    try:
        while time.monotonic() < ends:
            try:
                text = subscriber.queue.get(
                    timeout=max(0.0, min(heartbeat + 5, ends - time.monotonic()))
                )
            except queue.Empty:  # the fan-out thread sends heartbeats; this is a fallback
                text = HEARTBEAT
            if text is None:
                return
            yield text
    finally:
        sender.remove(subscriber)


class DetachedStream(Response):
    """A stream whose socket leaves gunicorn's request thread for the fan-out thread.

    Called as a WSGI app, it writes the status line, the headers (those the app's after-request
    hooks set included) and the first event on a duplicate of the client's socket, hands that
    to the fan-out thread and raises StopIteration: gunicorn's sync and gthread workers take it
    to mean "close the connection" and close their own descriptor only, writing nothing (the
    hand-over flask-sock uses for WebSockets). The response is delimited by closing.
    """

    def __init__(self, app: Flask, session_id: int, last_event_id: str | None, raw) -> None:
        super().__init__(mimetype="text/event-stream")
        self._app, self._session_id, self._raw = app, session_id, raw
        self._first, self._version = opening(session_id, last_event_id)

    def __call__(self, environ, start_response):  # noqa: ARG002 - gunicorn gets no response
        poll, heartbeat = _settings(self._app)
        headers = [
            (name, value)
            for name, value in self.get_wsgi_headers(environ).items()
            if name.lower() not in _HOP_BY_HOP
        ]
        head = f"HTTP/1.1 {self.status}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers)
        head += f"Date: {http_date()}\r\nConnection: close\r\n\r\n"
        sock = self._raw.dup()
        try:
            sock.settimeout(5.0)
            sock.sendall(head.encode("latin-1") + self._first.encode())
        except OSError:
            sock.close()
            raise StopIteration from None
        subscriber = fanout.SocketSubscriber(sock, self._session_id, self._version)
        fanout.subscribe(self._app, subscriber, poll_seconds=poll, heartbeat=heartbeat)
        raise StopIteration  # gunicorn: close your descriptor, write nothing


def detachable(environ) -> object | None:
    """The client's socket when the server is gunicorn (which lets it go), else None."""
    raw = environ.get("gunicorn.socket")
    if environ.get("REQUEST_METHOD") != "GET" or not isinstance(raw, socket.socket):
        return None
    return raw

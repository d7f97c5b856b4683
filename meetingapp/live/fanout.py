"""One thread per process that sends every open live stream its events.

A stream used to wait in its own request thread and read the state itself: 150 open streams
held 150 of gunicorn's threads (a gthread worker has 32: every page behind them waited for
good) and, on SQLite, read the database 300 times a second. Here the fan-out thread reads a
session's state once per change for the whole process and writes the event to every stream of
that session.

Under gunicorn the stream's socket leaves the request thread altogether (``SocketSubscriber``,
see ``streams.detached_stream``): the thread goes back to serving pages and an open stream
costs a socket and a few bytes. Other servers (the werkzeug one, the test client) keep a thread
per stream, fed through a queue (``QueueSubscriber``).

The thread wakes when this process publishes a change (``hub``: a commit here, or another
server's NOTIFY), when a phase runs out (it reads the state, which writes the next phase down),
to poll the versions on SQLite (one query for every watched session, twice a second) and on
PostgreSQL once LISTEN is in place (``hub.resync``: what was committed before it went unheard),
for heartbeats, and stops when nobody has listened for a few seconds.
"""

from __future__ import annotations

import queue
import selectors
import socket
import threading
import time

from flask import Flask

from meetingapp import clock
from meetingapp.extensions import db

MAX_BUFFER_BYTES = 256 * 1024  # a client this far behind is dropped; it reconnects
IDLE_EXIT_SECONDS = 5.0


class Subscriber:
    """One open stream: the session it follows and the version it was sent last."""

    def __init__(self, session_id: int, sent: int) -> None:
        self.session_id = session_id
        self.sent = sent
        self.opened = self.last_write = time.monotonic()
        self.closed = False

    def send(self, text: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


class QueueSubscriber(Subscriber):
    """A stream served by a generator in its own thread (werkzeug, the test client)."""

    def __init__(self, session_id: int, sent: int) -> None:
        super().__init__(session_id, sent)
        self.queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    def send(self, text: str) -> None:
        self.queue.put(text)
        self.last_write = time.monotonic()

    def close(self) -> None:
        if not self.closed:
            self.queue.put(None)
        super().close()


class SocketSubscriber(Subscriber):
    """A stream whose socket the fan-out thread writes to itself (non-blocking)."""

    def __init__(self, sock: socket.socket, session_id: int, sent: int) -> None:
        super().__init__(session_id, sent)
        sock.setblocking(False)
        self.sock = sock
        self.out = bytearray()

    def send(self, text: str) -> None:
        self.out += text.encode()
        self.last_write = time.monotonic()
        self.flush()

    def flush(self) -> None:
        if self.closed or not self.out:
            return
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:  # the client went away
            self.close()
            return
        del self.out[:sent]
        if len(self.out) > MAX_BUFFER_BYTES:
            self.close()

    def client_gone(self) -> bool:
        """The socket is readable: EventSource sends nothing, so this is the client closing."""
        try:
            return self.sock.recv(4096) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    def close(self) -> None:
        if not self.closed:
            try:
                self.sock.close()
            except OSError:
                pass
        super().close()


class Fanout:
    """The fan-out thread of one app in one process (``fanout_for``)."""

    def __init__(self, app: Flask, *, poll_seconds: float, heartbeat_seconds: float) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self._incoming: list[Subscriber] = []
        self._leaving: list[Subscriber] = []
        self._streams: dict[int, set[Subscriber]] = {}
        self._known: dict[int, object] = {}  # session id -> its last Snapshot
        self._phase_ends = float("inf")  # monotonic time of the next phase to run out
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread = threading.Thread(
            target=self._run, name="meetingapp-live-fanout", daemon=True
        )
        self.running = True

    def start(self) -> None:
        self._thread.start()

    # called from request threads and the hub (under the registry lock for add) ---------------

    def add(self, subscriber: Subscriber) -> None:
        self._incoming.append(subscriber)
        self.wake()

    def remove(self, subscriber: Subscriber) -> None:
        with _registry_lock:
            self._leaving.append(subscriber)
        self.wake()

    def wake(self) -> None:
        try:
            self._wake_w.send(b".")
        except OSError:  # the pipe is full (it will wake anyway) or closed (it has stopped)
            pass

    # the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        from meetingapp.live.streams import hub

        hub.add_waker(self.wake)
        next_poll = time.monotonic() + self.poll_seconds
        resyncs = hub.resyncs
        idle_since: float | None = None
        try:
            while True:
                try:
                    for key, _mask in self._selector.select(self._timeout(next_poll)):
                        self._ready(key)
                    self._take_changes()
                    watched = [s for s, subs in self._streams.items() if subs]
                    mono = time.monotonic()
                    if watched:
                        idle_since = None
                        polling = mono >= next_poll or hub.resyncs != resyncs
                        resyncs = hub.resyncs
                        if polling:
                            next_poll = mono + self.poll_seconds
                        self._refresh(watched, hub, polling)
                        self._beat_and_expire(mono)
                    elif idle_since is None:
                        idle_since = mono
                    elif mono - idle_since >= IDLE_EXIT_SECONDS and self._stop_if_idle():
                        return
                except Exception:  # noqa: BLE001 - never leave the streams without a sender
                    self.app.logger.exception("live: the fan-out thread failed; carrying on")
                    time.sleep(0.5)
        finally:
            hub.remove_waker(self.wake)

    def _timeout(self, next_poll: float) -> float:
        mono = time.monotonic()
        timeout = min(max(next_poll - mono, 0.0), 1.0, max(self._phase_ends - mono, 0.0))
        if any(self._streams.values()):
            oldest = min(
                (s.last_write for subs in self._streams.values() for s in subs), default=mono
            )
            timeout = min(timeout, max(oldest + self.heartbeat_seconds - mono, 0.0))
        return max(timeout, 0.01)

    def _ready(self, key: selectors.SelectorKey) -> None:
        if key.data is None:  # woken up
            try:
                while self._wake_r.recv(4096):
                    pass
            except OSError:
                pass
            return
        subscriber: SocketSubscriber = key.data
        if subscriber.client_gone():
            self._drop(subscriber)
        else:
            subscriber.flush()
            self._register(subscriber)

    def _take_changes(self) -> None:
        with _registry_lock:
            incoming, self._incoming = self._incoming, []
            leaving, self._leaving = self._leaving, []
        for subscriber in incoming:
            self._streams.setdefault(subscriber.session_id, set()).add(subscriber)
            if isinstance(subscriber, SocketSubscriber):
                self._register(subscriber)
        for subscriber in leaving:
            self._drop(subscriber)

    def _register(self, subscriber: SocketSubscriber) -> None:
        if subscriber.closed:
            self._drop(subscriber)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if subscriber.out else 0)
        try:
            self._selector.modify(subscriber.sock, events, subscriber)
        except KeyError:
            self._selector.register(subscriber.sock, events, subscriber)

    def _drop(self, subscriber: Subscriber) -> None:
        if isinstance(subscriber, SocketSubscriber) and not subscriber.closed:
            try:
                self._selector.unregister(subscriber.sock)
            except (KeyError, ValueError):
                pass
        subscriber.close()
        self._streams.get(subscriber.session_id, set()).discard(subscriber)

    def _refresh(self, watched: list[int], hub, polling: bool) -> None:
        """Read the state of the sessions that changed, ran out of time, or are due a poll, and
        send it to their streams that have not had it."""
        from meetingapp.live.queries import live_versions
        from meetingapp.live.service import snapshot

        with self.app.app_context():
            try:
                now = clock.now()
                stale = set()
                versions = live_versions(watched) if polling else {}
                for session_id in watched:
                    known = self._known.get(session_id)
                    if known is None or hub.version(session_id) > known.version:
                        stale.add(session_id)
                    elif polling and versions.get(session_id, 0) != known.version:
                        stale.add(session_id)  # no row yet: version 0, as snapshot says
                    elif known.state.phase_ends_at is not None and now >= known.state.phase_ends_at:
                        stale.add(session_id)
                    elif any(s.sent != known.version for s in self._streams[session_id]):
                        stale.add(session_id)  # a newcomer opened on an older version
                for session_id in stale:
                    self._known[session_id] = snapshot(session_id, now)
                    self._deliver(session_id)
                ends = [
                    (k.state.phase_ends_at - now).total_seconds()
                    for k in self._known.values()
                    if k.state.running and k.state.phase_ends_at is not None
                ]
                self._phase_ends = (
                    time.monotonic() + max(min(ends), 0.0) + 0.05 if ends else float("inf")
                )
            except Exception:  # noqa: BLE001 - the database may be restarting: try again soon
                self.app.logger.warning("live: could not read the state for the streams")
                db.session.rollback()
            finally:
                db.session.remove()
        for session_id in list(self._known):
            if session_id not in self._streams or not self._streams[session_id]:
                del self._known[session_id]

    def _deliver(self, session_id: int) -> None:
        from meetingapp.live.streams import format_event

        snap = self._known[session_id]
        text = None
        for subscriber in list(self._streams.get(session_id, ())):
            if subscriber.sent == snap.version:
                continue
            text = text or format_event(snap.as_json())
            subscriber.send(text)
            subscriber.sent = snap.version
            self._after_send(subscriber)

    def _after_send(self, subscriber: Subscriber) -> None:
        if subscriber.closed:
            self._drop(subscriber)
        elif isinstance(subscriber, SocketSubscriber):
            self._register(subscriber)

    def _beat_and_expire(self, mono: float) -> None:
        from meetingapp.live.streams import HEARTBEAT, max_stream_seconds

        longest = max_stream_seconds(self.app)
        for subs in self._streams.values():
            for subscriber in list(subs):
                if mono - subscriber.opened >= longest:
                    self._drop(subscriber)  # the browser reconnects, with Last-Event-ID
                elif mono - subscriber.last_write >= self.heartbeat_seconds:
                    subscriber.send(HEARTBEAT)
                    self._after_send(subscriber)

    def _stop_if_idle(self) -> bool:
        with _registry_lock:
            if self._incoming or any(self._streams.values()):
                return False
            self.running = False
            if _fanouts.get(self.app) is self:
                del _fanouts[self.app]
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()
        return True


_registry_lock = threading.Lock()
_fanouts: dict[Flask, Fanout] = {}


def subscribe(
    app: Flask, subscriber: Subscriber, *, poll_seconds: float, heartbeat: float
) -> Fanout:
    """Hand ``subscriber`` to the app's fan-out thread in this process (started if need be)."""
    with _registry_lock:
        fanout = _fanouts.get(app)
        if fanout is None or not fanout.running:
            fanout = _fanouts[app] = Fanout(
                app, poll_seconds=poll_seconds, heartbeat_seconds=heartbeat
            )
            fanout.start()
        fanout.add(subscriber)
    return fanout

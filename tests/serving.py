"""Serve the app under gunicorn for tests and benchmarks that need real processes.

    with serve(database_url, workers=4) as server:
        client = HttpClient(server.url)
        client.post("/auth/login", {"email": ..., "password": ...})

``start_gunicorn`` binds a listening socket on a free loopback port itself and hands it to gunicorn
(``--bind fd://N``), so there is no window in which another process can take the port. The app is
built by gunicorn's factory syntax ``meetingapp:create_app()`` with ``MEETINGAPP_CONFIG=testing``
(``wsgi.py`` would force the production config). ``HttpClient`` is a tiny cookie-keeping client on
``http.client`` (one cookie jar per instance, redirects not followed) so no extra package is needed.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
APP = "meetingapp:create_app()"


# On a quick shutdown (SIGQUIT/SIGINT) a worker would otherwise run the full interpreter
# finalisation, which in a forked copy of the preloaded app takes seconds on a busy machine (it
# touches, and so copies, the whole shared heap). A test server has nothing to flush: leave at once.
_GUNICORN_CONF = """\
import os


def worker_int(worker):
    os._exit(0)
"""


@dataclass
class ServerHandle:
    url: str
    process: subprocess.Popen
    log_path: Path
    _workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        """gunicorn's error log (worker boots, tracebacks of unhandled errors)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 15.0, graceful: bool = False) -> None:
        """Stop gunicorn, then SIGKILL its process group if it is still there after ``timeout``.

        By default a quick shutdown (SIGQUIT: workers exit at once, which takes a fraction of a
        second); ``graceful`` sends SIGTERM, which lets workers finish their requests but takes
        seconds even when idle.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None


def start_gunicorn(
    database_url: str,
    workers: int = 4,
    env: Mapping[str, str] | None = None,
    *,
    app: str = APP,
    preload: bool = True,
    timeout: float = 30.0,
    extra_args: tuple[str, ...] = (),
    worker_class: str = "sync",
    threads: int = 1,
) -> ServerHandle:
    """Start gunicorn on a free loopback port and return once it answers HTTP.

    ``env`` is added to (and overrides) the inherited environment; ``MEETINGAPP_CONFIG`` defaults to
    ``testing``. With ``preload`` the app is imported once before the workers fork, so all of them
    are ready as soon as the first one answers. ``worker_class="gthread"`` with ``threads`` serves
    Server-Sent Events as production does. Raises RuntimeError (with the log) if gunicorn
    exits or does not answer within ``timeout`` seconds.
    """
    workdir = tempfile.TemporaryDirectory(prefix="meetingapp-gunicorn-")
    log_path = Path(workdir.name) / "gunicorn.log"
    # Our own config file, so a gunicorn.conf.py in the working directory does not apply.
    conf_path = Path(workdir.name) / "gunicorn.conf.py"
    conf_path.write_text(_GUNICORN_CONF)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    fd = listener.fileno()

    child_env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    child_env.update({"MEETINGAPP_CONFIG": "testing", "PYTHONUNBUFFERED": "1"})
    child_env.update(env or {})
    child_env["DATABASE_URL"] = database_url

    cmd = [
        str(GUNICORN),
        "--config",
        str(conf_path),
        "--bind",
        f"fd://{fd}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log_path),
        "--log-level",
        "info",
        *(["--preload"] if preload else []),
        *extra_args,
        app,
    ]
    try:
        process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=child_env,
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        listener.close()  # gunicorn holds its own copy of the socket
    handle = ServerHandle(f"http://127.0.0.1:{port}", process, log_path, workdir)
    try:
        _wait_until_answering(handle, timeout)
    except BaseException:
        log = handle.log()
        handle.stop()
        raise RuntimeError(f"gunicorn did not start ({' '.join(cmd)}):\n{log}") from None
    return handle


def _wait_until_answering(handle: ServerHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    parts = urlsplit(handle.url)
    while True:
        if handle.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {handle.process.returncode}")
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            conn.request("GET", "/auth/login")
            conn.getresponse().read()
            return
        except OSError:  # refused, reset or timed out while the workers boot
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from {handle.url} in {timeout} s") from None
            time.sleep(0.05)
        finally:
            conn.close()


@contextmanager
def serve(
    database_url: str, workers: int = 4, env: Mapping[str, str] | None = None, **kwargs
) -> Iterator[ServerHandle]:
    """``start_gunicorn`` as a context manager: the server stops on exit, even on failure."""
    handle = start_gunicorn(database_url, workers=workers, env=env, **kwargs)
    try:
        yield handle
    finally:
        handle.stop()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    def json(self):
        return json.loads(self.body)


class HttpClient:
    """One browser-like visitor: keeps its cookies, does not follow redirects."""

    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def retarget(self, base_url: str) -> None:
        """Send the next requests to another server (e.g. a restarted one), keeping the cookies."""
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port

    def request(
        self,
        method: str,
        path: str,
        form: Mapping[str, str] | None = None,
        *,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        headers = {"Accept": "text/html", **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
            headers["Accept"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in (morsel["expires"] or "")
                if expired:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: Mapping[str, str] | None = None) -> Response:
        return self.request("POST", path, form or {})

    def api(
        self, method: str, path: str, body: object = None, *, token: str = "", basic: str = ""
    ) -> Response:
        """A JSON API call with a Bearer token (or HTTP Basic ``email:password``)."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif basic:
            headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
        return self.request(method, path, json_body=body, headers=headers)

"""Two app servers on one PostgreSQL and one Redis, as the README's production section has them.

Each server is its own gunicorn (2 worker processes each); clients alternate between them as a
round-robin load balancer would send them. The log-in limit is counted in Redis (Debian's
``redis-server``, started here), so the 11th attempt in a minute is refused whichever server
gets it; a session cookie made by one server is honoured by the other; and 200 people
registering at once through both fill exactly 21 seats with a waitlist of 1..179.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests import factories
from tests.conftest import IN_CI
from tests.integration.test_registration_races import PEOPLE, SEATS, fire, seed, tally
from tests.serving import HttpClient, ServerHandle, start_gunicorn
from tests.smtp import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ACCOUNT_LIMIT = 10  # LOGIN_LIMIT_PER_ACCOUNT's default: 10 per minute


@pytest.fixture(scope="module")
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        if IN_CI:
            pytest.fail("CI=true but redis-server is missing (Debian's redis-server package)")
        pytest.skip("redis-server not installed (Debian's redis-server package)")
    port = free_port()
    workdir = tempfile.TemporaryDirectory(prefix="meetingapp-redis-")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", workdir.name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_redis(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
        workdir.cleanup()


def _wait_for_redis(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, "redis-server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "redis-server did not answer"
        time.sleep(0.05)


@dataclass(frozen=True)
class Pair:
    url: str
    servers: tuple[ServerHandle, ServerHandle]
    session_id: int
    emails: list[str]  # registrants
    spare: list[str]  # accounts for the log-in limit

    def base(self, i: int) -> str:
        return self.servers[i % 2].url


@pytest.fixture(scope="module")
def pair(pg_cluster, redis_url):
    url = pg_cluster.create_database("meetingapp_two_servers")
    seeded = seed(url, people=PEOPLE + 2)
    env = {
        "MEETINGAPP_RATELIMIT": "1",
        "RATELIMIT_STORAGE_URI": redis_url,
        # Every client here comes from 127.0.0.1: only the per-account limit is under test.
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
    }
    servers = []
    try:
        with ThreadPoolExecutor(2) as pool:  # both boot at once
            booting = [pool.submit(start_gunicorn, url, workers=2, env=env) for _ in range(2)]
        servers = [f.result() for f in booting if f.exception() is None]
        for future in booting:
            future.result()  # raises what kept a server from starting (the others stop below)
        yield Pair(
            url, tuple(servers), seeded.session_id, seeded.emails[:PEOPLE], seeded.emails[PEOPLE:]
        )
    finally:
        for server in servers:
            server.stop()
        pg_cluster.drop_database("meetingapp_two_servers")


def redis_keys(redis_url: str, pattern: str) -> bytes:
    host, port = redis_url.removeprefix("redis://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"KEYS {pattern}\r\n".encode())
        time.sleep(0.1)
        return conn.recv(65536)


def _attempts(pair: Pair, email: str, order: list[int], password: str = "wrong-password"):
    statuses = []
    for i in order:
        client = HttpClient(pair.base(i))
        statuses.append(client.post("/auth/login", {"email": email, "password": password}).status)
    return statuses


@pytest.mark.parametrize("eleventh_on", [0, 1])
def test_the_eleventh_log_in_attempt_is_refused_whichever_server_gets_it(
    pair, redis_url, eleventh_on
):
    email = pair.spare[eleventh_on]
    first_ten = _attempts(pair, email, [i % 2 for i in range(ACCOUNT_LIMIT)])
    eleventh = _attempts(pair, email, [eleventh_on])
    # Even the right password, on the other server: the account waits out its minute.
    right = _attempts(pair, email, [1 - eleventh_on], password=factories.PASSWORD)
    print(
        f"\nlog-in attempts for one account, alternating servers: 10 wrong {Counter(first_ten)}, "
        f"11th on server {eleventh_on + 1}: {eleventh[0]}, then the right password on the "
        f"other: {right[0]}"
    )
    assert first_ten == [422] * ACCOUNT_LIMIT
    assert eleventh == [429]
    assert right == [429]
    assert email.encode() in redis_keys(redis_url, f"*{email}*")  # counted in Redis


def test_two_servers_share_sessions_and_fill_exactly_21_seats(pair):
    # Each person logs in on one server...
    def log_in(i: int) -> HttpClient:
        client = HttpClient(pair.base(i))
        response = client.post(
            "/auth/login", {"email": pair.emails[i], "password": factories.PASSWORD}
        )
        assert response.status == 302, response.status
        return client

    with ThreadPoolExecutor(16) as pool:
        clients = list(pool.map(log_in, range(PEOPLE)))
    # ... and is still logged in on the other.
    for i, client in enumerate(clients):
        client.retarget(pair.base(i + 1))
    mine = clients[0].get("/me/")
    assert mine.status == 200, (mine.status, mine.location)

    burst = fire(clients, f"/registration/sessions/{pair.session_id}")
    after = tally(pair.url, pair.session_id)
    print(
        f"\n{PEOPLE} registrations at once through two servers (2 workers each): "
        f"{Counter(burst.statuses)} in {burst.seconds:.1f} s; {after.confirmed} confirmed, "
        f"{after.waitlisted} waitlisted"
    )
    assert burst.server_errors == 0, burst.statuses
    assert set(burst.statuses) == {302}  # registered (the page redirects), on either server
    assert after.confirmed == SEATS
    assert after.waitlisted == PEOPLE - SEATS
    assert after.ranks == list(range(1, PEOPLE - SEATS + 1))
    assert after.positions == list(range(1, PEOPLE - SEATS + 1))
    for server in pair.servers:
        assert "Traceback" not in server.log(), server.log()[-3000:]

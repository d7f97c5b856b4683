"""CPU of one API registration in process (Flask test client, SQLite), against /healthz.

    .venv/bin/python benchmarks/profile_registration.py [--people N] [--profile]

No server, no network: the figure is the application's own work per registration (the token
looked up, the checks, the seat lock's transaction, the mail rendered and queued, the JSON
answer), CPU seconds of this process, so a busy machine changes it little. ``--profile``
prints the cProfile of the registrations (CPU clock), the app's own functions first.
Not part of ``make bench`` (no target of its own: bench_registration.py has the targets).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_registration as bench  # noqa: E402

from meetingapp import create_app  # noqa: E402
from tests.conftest import make_config  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=130)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meetingapp-profile-") as tmp:
        url = f"sqlite:///{tmp}/profile.sqlite"
        seeded = bench.seed(url, people=args.people, seats=21)
        secrets_ = bench.issue_tokens(url, seeded.emails)
        client = create_app(make_config(url)).test_client()
        path = f"/api/v1/sessions/{seeded.session_id}/registrations"

        def register(secret: str) -> None:
            response = client.post(path, headers={"Authorization": f"Bearer {secret}"})
            assert response.status_code == 201, response.get_data(as_text=True)

        warm, measured = secrets_[:10], secrets_[10:]
        for secret in warm:  # the code paths, the statement caches
            register(secret)
        for _ in range(50):
            client.get("/healthz")
        start = time.process_time()
        for _ in range(len(measured)):
            client.get("/healthz")
        healthz = (time.process_time() - start) / len(measured) * 1000
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for secret in measured:
            register(secret)
        if profiler:
            profiler.disable()
        each = (time.process_time() - start) / len(measured) * 1000
        load = os.getloadavg()[0]
        print(
            f"{len(measured)} API registrations for 21 seats (the rest waitlisted), in process, "
            f"SQLite, load {load:.2f}: {each:.1f} ms CPU each; /healthz {healthz:.1f} ms "
            f"({each / healthz:.1f}x)" + (" (profiled: cProfile inflates both)" if profiler else "")
        )
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats("meetingapp", 30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

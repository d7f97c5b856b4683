"""What every benchmark reports: figures with their target, wall and CPU time, pass or fail.

Each ``bench_*.py`` collects :class:`Figure` rows and calls :func:`publish`, which prints them as
a table and, when ``BENCH_RESULTS`` names a file (``make bench`` does), appends them to it as JSON
lines; ``benchmarks/summary.py`` then prints one table of every benchmark's figures. CPU time
beside wall time shows a busy machine: a wall time far above its CPU time waited for the CPU.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None  # None: shown for information, no pass/fail
    cpu: float | None = None  # CPU time of the same measurement, in the figure's unit
    higher_is_better: bool = False
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def verdict(self) -> str:
        return {None: "info", True: "pass", False: "FAIL"}[self.passed]


def ms(name: str, wall_cpu: tuple[float, float], target: float | None, note: str = "") -> Figure:
    """A time figure from :func:`timed`'s (wall, CPU) pair."""
    wall, cpu = wall_cpu
    return Figure(name, wall, "ms", target, cpu=cpu, note=note)


def timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and median CPU milliseconds of ``runs`` calls (this process's CPU)."""
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        call()
        cpus.append((time.process_time() - c0) * 1000)
        walls.append((time.perf_counter() - w0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a server process and its children (gunicorn's master and
    workers), read from /proc (psutil is not installed): the CPU of work done in another
    process, which :func:`timed` cannot see."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in {"ms", "s", "×"} or value != int(value):
        return f"{value:.1f} {unit}".strip() if value < 100 else f"{value:.0f} {unit}".strip()
    return f"{int(value)} {unit}".strip()


def table(rows: list[tuple[str, Figure]]) -> str:
    header = f"{'benchmark':<12} {'figure':<52} {'value':>11} {'cpu':>10} {'target':>11}  result"
    lines = [header, "-" * len(header)]
    for bench, f in rows:
        target = (
            "–"
            if f.target is None
            else ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target, f.unit)
        )
        lines.append(
            f"{bench:<12} {f.name:<52} {_fmt(f.value, f.unit):>11} "
            f"{_fmt(f.cpu, f.unit) if f.cpu is not None else '–':>10} {target:>11}  {f.verdict()}"
        )
    return "\n".join(lines)


def publish(bench: str, figures: list[Figure]) -> bool:
    """Print the figures; record them for ``make bench``'s table; True when every target is met."""
    print(table([(bench, f) for f in figures]))
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.2f}")
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            for f in figures:
                out.write(json.dumps({"bench": bench, **asdict(f)}, ensure_ascii=False) + "\n")
    return all(f.passed is not False for f in figures)

"""Benchmark of the rotation planner: time, exactness and mixing.

Run ``.venv/bin/python benchmarks/bench_rotation.py [--quick] [--seed N] [--time-limit S]``.

Columns
-------
* ``seconds``: wall clock of :func:`solve` (exact step + mixing + statistics).
* ``score / bound``: the plan's preference score and an upper bound computed here,
  independently of the planner: the LP relaxation of the participant x table x round model
  (HiGHS interior point) when it has at most 250,000 variables, otherwise the LP of the
  participant x table transportation problem (every participant visits ``R`` distinct
  tables; each table ``t`` between ``min_seats_t * R`` and ``capacity_t * R`` visits), which
  relaxes the rotation as well.  ``score == bound`` proves the score optimal.
* ``repeats``: pairs meeting ``m > 1`` times count ``m - 1``.  ``random`` is the mean over
  five seeds of the same table sets with each person's rounds shuffled at random.
* ``lower``: a lower bound on repeats for these table sets and per-round table loads:
  the meetings ``sum_{t,r} C(L_tr, 2)`` are fixed by the loads and only pairs whose table
  sets intersect can ever meet, so ``repeats >= meetings - #intersecting pairs``; and per
  participant (pigeonhole) ``p`` meets at least ``sum_{t in S_p} (min_r L_tr - 1)`` times
  but only ``d_p`` distinct people share a table with it, so it is in at least
  ``that - d_p`` repeats, each counted by both members: ``repeats >= ceil(sum / 2)``.
  The larger bound is shown (see ``meetingapp.domain.rotation.metrics``).
* ``same-org``: (pair, round) with both from one organisation at one table; ``random`` as
  above.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meetingapp.domain.rotation import (  # noqa: E402
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    solve,
)
from meetingapp.domain.rotation.metrics import (  # noqa: E402
    random_order_repeats,
    same_org_pairs,
)

FULL = [(40, 11, 4), (200, 11, 4), (2000, 11, 4), (20000, 11, 4), (180, 25, 5)]
QUICK = [(40, 11, 4), (200, 11, 4), (180, 25, 5)]


def make_instance(n: int, n_tables: int, rounds: int, seed: int) -> RotationProblem:
    """Skewed picks (a few popular tables), ~30 organisations of skewed sizes."""
    rng = np.random.default_rng(seed)
    popularity = 0.75 ** np.arange(n_tables)
    popularity /= popularity.sum()
    org_sizes = 1.0 / np.arange(1, 31) ** 1.1
    org_sizes /= org_sizes.sum()
    capacity = 8 if n <= 8 * n_tables else math.ceil(1.1 * n / n_tables)
    tables = tuple(TableSpec(f"T{i:02d}", capacity) for i in range(n_tables))
    ids = [t.id for t in tables]
    people = []
    orgs = rng.choice(30, size=n, p=org_sizes)
    for p in range(n):
        picks = rng.choice(n_tables, size=5, replace=False, p=popularity)
        people.append(ParticipantSpec(p, f"org{orgs[p]:02d}", tuple(ids[i] for i in picks)))
    return RotationProblem(rounds, 3, tables, tuple(people))


def _scores(problem: RotationProblem) -> np.ndarray:
    index = {t.id: i for i, t in enumerate(problem.tables)}
    score = np.zeros((len(problem.participants), len(problem.tables)))
    for p, person in enumerate(problem.participants):
        for rank, table in enumerate(person.picks):
            score[p, index[table]] = problem.max_picks - rank
    return score


def independent_bound(problem: RotationProblem) -> tuple[float, str]:
    score = _scores(problem)
    n, t = score.shape
    r = problem.rounds
    cap = np.array([x.capacity for x in problem.tables], dtype=float)
    lo = np.array([x.min_seats for x in problem.tables], dtype=float)
    if n * t * r <= 250_000:
        p_i, t_i, r_i = (a.ravel() for a in np.meshgrid(*map(np.arange, (n, t, r)), indexing="ij"))
        cols = np.arange(n * t * r)
        one = np.ones(n * t * r)
        a_pr = sparse.csr_matrix((one, (p_i * r + r_i, cols)), shape=(n * r, n * t * r))
        a_pt = sparse.csr_matrix((one, (p_i * t + t_i, cols)), shape=(n * t, n * t * r))
        a_tr = sparse.csr_matrix((one, (t_i * r + r_i, cols)), shape=(t * r, n * t * r))
        res = linprog(
            -score[p_i, t_i],
            A_ub=sparse.vstack([a_pt, a_tr, -a_tr]),
            b_ub=np.concatenate([np.ones(n * t), np.repeat(cap, r), -np.repeat(lo, r)]),
            A_eq=a_pr,
            b_eq=np.ones(n * r),
            bounds=(0, 1),
            method="highs-ipm",
        )
        return -res.fun, "3-index LP"
    p_i, t_i = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(t), indexing="ij"))
    cols = np.arange(n * t)
    one = np.ones(n * t)
    a_p = sparse.csr_matrix((one, (p_i, cols)), shape=(n, n * t))
    a_t = sparse.csr_matrix((one, (t_i, cols)), shape=(t, n * t))
    res = linprog(
        -score.ravel(),
        A_ub=sparse.vstack([a_t, -a_t]),
        b_ub=np.concatenate([cap * r, -lo * r]),
        A_eq=a_p,
        b_eq=np.full(n, r),
        bounds=(0, 1),
        method="highs-ipm",
    )
    return -res.fun, "flow LP"


def run(instances, seed: int, time_limit: float | None) -> None:
    header = (
        f"{'instance':>14} {'seconds':>8} {'score / bound':>19} {'bound by':>10} "
        f"{'repeats':>9} {'random':>10} {'lower':>9} {'same-org':>9} {'random':>10}"
    )
    print(header)
    print("-" * len(header))
    for n, t, r in instances:
        problem = make_instance(n, t, r, seed)
        start = time.perf_counter()
        plan = solve(problem, time_limit=time_limit, seed=seed)
        seconds = time.perf_counter() - start
        bound, how = independent_bound(problem)
        stats = plan.stats
        people = {person.id: p for p, person in enumerate(problem.participants)}
        tables = {table.id: i for i, table in enumerate(problem.tables)}
        tab = np.zeros((n, r), dtype=np.int64)
        for a in plan.assignments:
            tab[people[a.participant], a.round] = tables[a.table]
        locked = np.zeros_like(tab, dtype=bool)
        org_ids: dict[str, int] = {}
        org = np.array(
            [org_ids.setdefault(p.organisation, len(org_ids)) for p in problem.participants]
        )
        rng = np.random.default_rng(seed)
        rand_rep = np.mean([random_order_repeats(tab, t, locked, s) for s in range(5)])
        rand_org = np.mean([same_org_pairs(rng.permuted(tab, axis=1), t, org) for _ in range(5)])
        mark = "=" if abs(stats["preference_score"] - bound) < 1e-6 else "<"
        print(
            f"{f'{n}x{t}x{r}':>14} {seconds:8.2f} "
            f"{stats['preference_score']:>8} {mark} {bound:>8.0f} {how:>10} "
            f"{stats['repeat_pairs']:>9} {rand_rep:>10.0f} {stats['repeat_pairs_lower_bound']:>9} "
            f"{stats['same_org_pairs']:>9} {rand_org:>10.0f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args(argv)
    run(QUICK if args.quick else FULL, args.seed, args.time_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

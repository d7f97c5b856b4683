"""Necessary conditions checked before solving, each failing with one human line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .jsonio import show
from .model import Infeasible


def _names(ids: Sequence[object]) -> str:
    names = [show(i) for i in ids]
    if len(names) <= 6:
        return ", ".join(names)
    return ", ".join(names[:5]) + f" and {len(names) - 5} more"


def check_basics(rounds: int, min_tables: int, n_people: int, tables) -> None:
    if min_tables > rounds:
        raise Infeasible(f"min_tables {min_tables} exceeds rounds {rounds}")
    for table in tables:
        if table.min_seats > table.capacity:
            raise Infeasible(
                f"table {show(table.id)}: min_seats {table.min_seats} exceeds capacity "
                f"{table.capacity}"
            )
    if n_people and len(tables) < rounds:
        raise Infeasible(
            f"{len(tables)} tables but each participant needs {rounds} distinct tables"
        )


def check_fixed(fixed, rounds: int, tables, people, stays=None) -> dict[tuple[int, int], int]:
    """Index the fixed assignments; clashes are infeasible.  Returns ``{(p, r): t}``.

    ``stays[p]``: ``p`` keeps one table, so the same table in several rounds is expected.
    """
    t_index = {t.id: i for i, t in enumerate(tables)}
    p_index = {p.id: i for i, p in enumerate(people)}
    out: dict[tuple[int, int], int] = {}
    where: dict[tuple[int, int], int] = {}
    for fix in fixed:
        p, t, r = p_index[fix.participant], t_index[fix.table], fix.round
        known = out.get((p, r))
        if known is not None and known != t:
            raise Infeasible(
                f"participant {show(fix.participant)} is pinned to two tables in round {r} "
                f"({show(tables[known].id)} and {show(fix.table)})"
            )
        other = where.get((p, t))
        if other is not None and other != r and not (stays is not None and stays[p]):
            first, second = sorted((other, r))
            raise Infeasible(
                f"participant {show(fix.participant)} is pinned to table {show(fix.table)} "
                f"twice (rounds {first} and {second})"
            )
        out[p, r] = t
        where[p, t] = r
    counts: dict[tuple[int, int], int] = {}
    for (_, r), t in out.items():
        counts[t, r] = counts.get((t, r), 0) + 1
    for (t, r), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if n > tables[t].capacity:
            raise Infeasible(
                f"round {r}: {n} participants pinned to table {show(tables[t].id)} but it "
                f"seats {tables[t].capacity}"
            )
    return out


def check_played(played: list[int], fixed: dict[tuple[int, int], int], tables, n: int) -> None:
    for r in played:
        loads = np.bincount([fixed[p, r] for p in range(n)], minlength=len(tables))
        for t, table in enumerate(tables):
            if loads[t] < table.min_seats:
                raise Infeasible(
                    f"round {r} (fixed for everyone): table {show(table.id)} has {loads[t]} "
                    f"participants but needs at least {table.min_seats}"
                )


def check_remaining(
    *,
    rounds_left: list[int],
    tables,
    people,
    visited: np.ndarray,
    pins: dict[tuple[int, int], int],
    stays: np.ndarray | None = None,
) -> None:
    """Counting conditions for the rounds still to plan (``pins`` in local round numbers).

    ``stays``: participants who keep one table; the conditions that assume distinct tables
    skip them (they are relaxations for everything else).
    """
    n, n_tables = visited.shape
    r_left = len(rounds_left)
    cap = np.array([t.capacity for t in tables], dtype=np.int64)
    lo = np.array([t.min_seats for t in tables], dtype=np.int64)
    first = rounds_left[0]
    if n > cap.sum():
        raise Infeasible(f"round {first}: {n} participants but {int(cap.sum())} seats")
    if n < lo.sum():
        raise Infeasible(
            f"round {first}: {n} participants but the tables need at least {int(lo.sum())}"
        )
    stays = np.zeros(n, dtype=bool) if stays is None else stays
    left = n_tables - visited.sum(axis=1)
    for p in np.nonzero((left < r_left) & ~stays)[0].tolist():
        raise Infeasible(
            f"participant {show(people[p].id)} needs {r_left} more distinct tables but only "
            f"{int(left[p])} are left"
        )
    pinned_rounds = np.zeros(n, dtype=np.int64)
    pinned_to = np.zeros((n, n_tables), dtype=bool)
    pin_table = np.full((n, r_left), -1, dtype=np.int64)
    for (p, r), t in pins.items():
        pinned_rounds[p] += 1
        pinned_to[p, t] = True
        pin_table[p, r] = t
    has_free = pinned_rounds < r_left
    for t, table in enumerate(tables):
        if table.min_seats == 0:
            continue
        can = (~visited[:, t]) & (has_free | pinned_to[:, t])
        need = table.min_seats * r_left
        # a mover visits the table at most once; someone who stays fills a seat every round
        if int(can[~stays].sum()) + r_left * int(can[stays].sum()) < need:
            raise Infeasible(
                f"table {show(table.id)}: needs at least {table.min_seats} per round in {r_left} "
                f"rounds but only {int(can.sum())} participants can sit there"
            )
        for r in range(r_left if pins else 0):
            # free: not been there, and not pinned to another table now or to t another time
            free_here = (~visited[:, t]) & (
                (pin_table[:, r] == t) | ((pin_table[:, r] < 0) & ~pinned_to[:, t])
            )
            if int(free_here.sum()) < table.min_seats:
                raise Infeasible(
                    f"round {rounds_left[r]}: table {show(table.id)} needs at least "
                    f"{table.min_seats} but only {int(free_here.sum())} participants are free "
                    f"to sit there"
                )
    # Groups of tables: each participant visits at least r_left - (tables outside X) of X.
    by_cap = np.argsort(cap, kind="stable")
    for k in range(1, n_tables if not stays.any() else 0):
        group = by_cap[:k]
        need_each = r_left - (n_tables - k)
        if need_each <= 0:
            continue
        seats = int(cap[group].sum())
        if seats * r_left < n * need_each:
            raise Infeasible(
                f"tables {_names([tables[i].id for i in group])}: {seats} seats per round "
                f"({seats * r_left} over {r_left} rounds) but {n} participants must each "
                f"visit {need_each} of them"
            )
    by_lo = np.argsort(-lo, kind="stable")
    for k in range(2, n_tables + 1):
        group = by_lo[:k]
        need = int(lo[group].sum()) * r_left
        most = int((~stays).sum()) * min(k, r_left) + int(stays.sum()) * r_left
        if need > most:
            raise Infeasible(
                f"tables {_names([tables[i].id for i in group])}: need at least {need} visits "
                f"over {r_left} rounds but {n} participants can make at most {most} there"
            )

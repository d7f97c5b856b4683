"""Step 3: better mixing by simulated annealing over score-preserving moves.

Cost = repeated encounters + same-organisation pairs (both are wasted meetings; weights 1:1).
Moves (locked seats -- rounds already played and organiser pins -- never move):

* ``exchange``: ``p`` sits at ``a`` in ``r1`` and ``b`` in ``r2``, ``q`` at ``b`` in ``r1`` and
  ``a`` in ``r2``; both swap the two rounds.  Table sets and loads are unchanged.
* ``swap``: ``p`` swaps two of its rounds.  Loads change by one in four cells; allowed only if
  they stay within ``[min_seats, capacity]`` and the per-table sum of squared loads does not
  grow, so the even per-round balance of step 2 is kept.
* ``seat``: ``p`` at ``a`` and ``q`` at ``b`` in one round trade seats, if neither has visited
  the other table and ``score[p,a] + score[q,b] == score[p,b] + score[q,a]``.

No move changes the preference score.  The cost change of moving one participant is exact and
local: ``p``'s repeats are ``sum_c (|c| - 1) - |union of c's other members|`` over its cells.
The number of moves is fixed in advance (deterministic for a seed); a wall-clock deadline is
only a safety stop, reported in the stats.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class MixingReport:
    moves: int
    accepted: int
    budget: int
    stopped_by_deadline: bool
    cost_before: int
    cost_after: int


class Annealer:
    def __init__(
        self,
        tab: np.ndarray,
        locked: np.ndarray,
        score: np.ndarray,
        org: np.ndarray,
        lo,
        hi,
        n_tables: int,
    ) -> None:
        self.n, self.rounds = tab.shape
        self.n_tables = n_tables
        self.tab: list[list[int]] = tab.tolist()
        self.locked: list[list[bool]] = locked.tolist()
        self.score: list[list[int]] = score.tolist()
        self.org: list[int] = org.tolist()
        self.lo = [int(x) for x in lo]
        self.hi = [int(x) for x in hi]
        rounds = self.rounds
        self.members: list[set[int]] = [set() for _ in range(n_tables * rounds)]
        self.orgs: list[dict[int, int]] = [{} for _ in range(n_tables * rounds)]
        for p, row in enumerate(self.tab):
            o = self.org[p]
            for r, t in enumerate(row):
                c = t * rounds + r
                self.members[c].add(p)
                if o >= 0:
                    self.orgs[c][o] = self.orgs[c].get(o, 0) + 1
        # For big tables, count distinct partners by inclusion-exclusion over cell subsets
        # (2^R dictionary look-ups) instead of unions of big sets.
        avg_load = self.n / max(1, n_tables)
        self.subset_mode = rounds <= 8 and avg_load >= 24
        self.weights = [(n_tables + 1) ** r for r in range(rounds)]
        self.signs = [1]
        for _ in range(rounds):
            self.signs = self.signs + [-s for s in self.signs]
        self.signs = [-s for s in self.signs]  # subset of size k: (-1)^(k+1)
        self.n_sub: dict[int, int] = {}
        if self.subset_mode:
            for p in range(self.n):
                self._count_subsets(p, 1)
        self.free_rounds: list[list[int]] = [
            [r for r in range(rounds) if not lk[r]] for lk in self.locked
        ]
        self.movable = [p for p in range(self.n) if self.free_rounds[p]]

    # --- cost -----------------------------------------------------------------------
    def _subset_keys(self, p: int) -> list[int]:
        keys = [0]
        for r, t in enumerate(self.tab[p]):
            v = (t + 1) * self.weights[r]
            keys += [k + v for k in keys]
        return keys

    def _count_subsets(self, p: int, step: int) -> None:
        n_sub = self.n_sub
        for k in self._subset_keys(p):
            n_sub[k] = n_sub.get(k, 0) + step

    def person_cost(self, p: int) -> int:
        """Wasted meetings of ``p`` (with ``p`` seated): repeats + same-organisation."""
        rounds = self.rounds
        cells = [t * rounds + r for r, t in enumerate(self.tab[p])]
        sets = [self.members[c] for c in cells]
        meet = sum(len(s) for s in sets) - len(sets)
        if self.subset_mode:
            n_sub = self.n_sub
            keys = self._subset_keys(p)
            # keys[0] is the empty subset; the others alternate in sign with their size
            distinct = sum(
                s * (n_sub[k] - 1) for s, k in zip(self.signs[1:], keys[1:], strict=True)
            )
        else:
            distinct = len(set().union(*sets)) - 1
        cost = meet - distinct
        o = self.org[p]
        if o >= 0:
            cost += sum(self.orgs[c][o] for c in cells) - len(cells)
        return cost

    def total_cost(self) -> int:
        return sum(self.person_cost(p) for p in range(self.n)) // 2

    # --- primitive ------------------------------------------------------------------
    def _move(self, p: int, r: int, new_table: int) -> None:
        rounds = self.rounds
        old = self.tab[p][r]
        c_old = old * rounds + r
        c_new = new_table * rounds + r
        self.members[c_old].discard(p)
        self.members[c_new].add(p)
        o = self.org[p]
        if o >= 0:
            self.orgs[c_old][o] -= 1
            self.orgs[c_new][o] = self.orgs[c_new].get(o, 0) + 1
        self.tab[p][r] = new_table

    def _set(self, p: int, changes: list[tuple[int, int]]) -> None:
        if self.subset_mode:
            self._count_subsets(p, -1)
        for r, t in changes:
            self._move(p, r, t)
        if self.subset_mode:
            self._count_subsets(p, 1)

    def _reseat(self, p: int, changes: list[tuple[int, int]]) -> int:
        """Apply ``(round, table)`` changes to ``p``; return the exact cost change."""
        before = self.person_cost(p)
        self._set(p, changes)
        return self.person_cost(p) - before

    # --- moves ----------------------------------------------------------------------
    def _swap_ok(self, a: int, b: int, r1: int, r2: int) -> bool:
        rounds = self.rounds
        la1 = len(self.members[a * rounds + r1])
        la2 = len(self.members[a * rounds + r2])
        lb1 = len(self.members[b * rounds + r1])
        lb2 = len(self.members[b * rounds + r2])
        if la2 + 1 > self.hi[a] or la1 - 1 < self.lo[a]:
            return False
        if lb1 + 1 > self.hi[b] or lb2 - 1 < self.lo[b]:
            return False
        return (la2 - la1 + 1) + (lb1 - lb2 + 1) <= 0

    def propose(self, rng: random.Random):
        """A random move as a list of ``(participant, [(round, table), ...])`` or None."""
        p = self.movable[rng.randrange(len(self.movable))]
        free = self.free_rounds[p]
        row = self.tab[p]
        kind = rng.random()
        rounds = self.rounds
        if kind < 0.35:  # seat trade within one round
            r = free[rng.randrange(len(free))]
            q = rng.randrange(self.n)
            if self.locked[q][r]:
                return None
            a, b = row[r], self.tab[q][r]
            if a == b or b in row or a in self.tab[q]:
                return None
            sp, sq = self.score[p], self.score[q]
            if sp[a] + sq[b] != sp[b] + sq[a]:
                return None
            return [(p, [(r, b)]), (q, [(r, a)])]
        if len(free) < 2:
            return None
        i, j = rng.sample(range(len(free)), 2)
        r1, r2 = free[i], free[j]
        a, b = row[r1], row[r2]
        if kind < 0.7:  # two people exchange the same two rounds at the same two tables
            common = self.members[b * rounds + r1] & self.members[a * rounds + r2]
            common = [q for q in common if not (self.locked[q][r1] or self.locked[q][r2])]
            if not common:
                return None
            q = common[rng.randrange(len(common))] if len(common) > 1 else common[0]
            return [(p, [(r1, b), (r2, a)]), (q, [(r1, a), (r2, b)])]
        if not self._swap_ok(a, b, r1, r2):
            return None
        return [(p, [(r1, b), (r2, a)])]

    def apply(self, move) -> int:
        return sum(self._reseat(p, changes) for p, changes in move)

    def undo(self, move, old_rows) -> None:
        for (p, changes), row in zip(reversed(move), reversed(old_rows), strict=True):
            self._set(p, [(r, row[r]) for r, _ in changes])

    def run(
        self, budget: int, seed: int, deadline: float | None, t_start=1.0, t_end=0.05
    ) -> MixingReport:
        # Reproducible search, not security.
        rng = random.Random(seed)  # noqa: S311  # nosec B311
        cost = start = self.total_cost()
        accepted = done = 0
        stopped = False
        if not self.movable or budget <= 0 or self.n < 2:
            return MixingReport(0, 0, budget, False, start, start)
        ratio = t_end / t_start
        temp = t_start
        for done in range(1, budget + 1):  # noqa: B007 - `done` is reported
            if done & 511 == 0:
                if deadline is not None and time.perf_counter() > deadline:
                    stopped = True
                    break
                temp = t_start * ratio ** (done / budget)
            move = self.propose(rng)
            if move is None:
                continue
            old_rows = [list(self.tab[p]) for p, _ in move]
            delta = self.apply(move)
            if delta <= 0 or rng.random() < math.exp(-delta / temp):
                cost += delta
                accepted += 1
            else:
                self.undo(move, old_rows)
        return MixingReport(done, accepted, budget, stopped, start, cost)

    def result(self) -> np.ndarray:
        return np.array(self.tab, dtype=np.int64).reshape(self.n, self.rounds)

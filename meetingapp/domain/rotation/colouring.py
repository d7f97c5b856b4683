"""Step 2: split every participant's table set into rounds.

Seat copies: table ``t`` with ``V`` visits over ``R`` rounds is split into ``V // R`` full
copies of ``R`` visits and (if ``V % R``) one partial copy.  In the bipartite multigraph
participants x copies every degree is at most ``R``, so by Konig's theorem its edges can be
coloured with ``R`` colours (= rounds): every participant then sits at one table per round,
every copy seats at most one person per round, and table ``t`` seats ``V // R`` or
``ceil(V / R)`` people in every round -- as even as the table's total allows, hence within
``[min_seats, capacity]`` whenever ``V`` is within ``[min_seats * R, capacity * R]``.

The colouring peels one perfect matching (= one round) at a time, see :func:`colour_rounds`.

With organiser pins the participants' rounds are then permuted to honour the pins and the
resulting overfull / underfull (table, round) cells are repaired by alternating paths
(Kempe-chain style swaps of two rounds along a chain of participants), see
:func:`repair_loads`.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def colour_rounds(sets: list[list[int]], n_tables: int, rounds: int) -> np.ndarray:
    """``N x rounds`` array: the table of each participant in each round.

    Round by round: with ``k`` rounds left and table ``t`` still owed ``W_t`` visits, every
    participant takes one of its remaining tables so that table ``t`` seats
    ``floor(W_t / k)`` or ``ceil(W_t / k)`` -- a perfect matching in the ``k``-regular
    seat-copy graph (made regular with dummy participants), which exists by Konig's theorem;
    what remains is again balanced, so induction gives all rounds.  Each round is found as a
    flow with lower bounds (participants -> tables, tables within [floor, ceil]) by Dinic's
    algorithm (``scipy.sparse.csgraph.maximum_flow``), on ``N + T + 4`` nodes.
    """
    n = len(sets)
    tab = np.full((n, rounds), -1, dtype=np.int64)
    if n == 0 or rounds == 0:
        return tab
    left = [list(s) for s in sets]
    for rnd in range(rounds):
        k = rounds - rnd
        owed = np.zeros(n_tables, dtype=np.int64)
        for tables in left:
            for t in tables:
                owed[t] += 1
        chosen = _one_round(left, owed // k, -(-owed // k), n_tables)
        tab[:, rnd] = chosen
        for p, t in enumerate(chosen.tolist()):
            left[p].remove(t)
    return tab


def _one_round(left: list[list[int]], floor, ceil, n_tables: int) -> np.ndarray:
    """One table per participant among ``left[p]``, table loads within ``[floor, ceil]``."""
    from scipy import sparse  # only here: most plans never need the colouring
    from scipy.sparse.csgraph import maximum_flow

    n = len(left)
    src, snk, s2, t2 = n + n_tables, n + n_tables + 1, n + n_tables + 2, n + n_tables + 3
    sizes = np.fromiter((len(x) for x in left), dtype=np.int64, count=n)
    p_rows = np.repeat(np.arange(n), sizes)
    p_cols = n + np.fromiter((t for x in left for t in x), dtype=np.int64, count=int(sizes.sum()))
    tables = n + np.arange(n_tables)
    # Lower bounds by the usual reduction: demand edges from s2, supply edges to t2, and
    # an uncapacitated snk -> src edge closing the circulation.
    rows = np.concatenate([p_rows, tables, [snk, s2], tables, [src], np.full(n, s2)]).astype(
        np.int32
    )
    cols = np.concatenate(
        [p_cols, np.full(n_tables, snk), [src, snk], np.full(n_tables, t2), [t2], np.arange(n)]
    ).astype(np.int32)
    caps = np.concatenate(
        [np.ones(len(p_rows)), ceil - floor, [n + 1, floor.sum()], floor, [n], np.ones(n)]
    ).astype(np.int32)
    keep = caps > 0
    size = n + n_tables + 4
    graph = sparse.csr_matrix((caps[keep], (rows[keep], cols[keep])), shape=(size, size))
    result = maximum_flow(graph, s2, t2, method="dinic")
    if result.flow_value != n + int(floor.sum()):  # pragma: no cover - Konig guarantees it
        raise AssertionError("balanced round does not exist")
    flow = result.flow.tocoo()
    pick = (flow.data > 0) & (flow.row < n) & (flow.col >= n) & (flow.col < n + n_tables)
    chosen = np.full(n, -1, dtype=np.int64)
    chosen[flow.row[pick]] = flow.col[pick] - n
    return chosen


def honour_pins(tab: np.ndarray, pins: dict[tuple[int, int], int]) -> None:
    """Permute each pinned participant's rounds so that every pin holds (in place).

    The pinned tables are in the participant's set (the flow forces them), so only the
    order changes; unpinned tables keep their round when it is free.
    """
    by_person: dict[int, dict[int, int]] = {}
    for (p, r), t in pins.items():
        by_person.setdefault(p, {})[r] = t
    rounds = tab.shape[1]
    for p, fixed in by_person.items():
        row = tab[p].tolist()
        pinned_tables = set(fixed.values())
        new = [-1] * rounds
        for r, t in fixed.items():
            new[r] = t
        loose = []
        for r, t in enumerate(row):
            if t in pinned_tables:
                continue
            if new[r] == -1:
                new[r] = t
            else:
                loose.append(t)
        for r in range(rounds):
            if new[r] == -1:
                new[r] = loose.pop()
        tab[p] = new


class LoadRepair:
    """Fix per-round table loads by alternating paths that never move a locked seat."""

    def __init__(self, tab: np.ndarray, locked: np.ndarray, lo, hi, n_tables: int) -> None:
        self.tab = tab
        self.locked = locked
        self.lo = [int(x) for x in lo]
        self.hi = [int(x) for x in hi]
        self.rounds = tab.shape[1]
        self.n_tables = n_tables
        self.members: list[list[set[int]]] = [
            [set() for _ in range(self.rounds)] for _ in range(n_tables)
        ]
        for p, row in enumerate(tab.tolist()):
            for r, t in enumerate(row):
                self.members[t][r].add(p)

    def load(self, t: int, r: int) -> int:
        return len(self.members[t][r])

    def _swap(self, p: int, ra: int, rb: int) -> None:
        a, b = int(self.tab[p, ra]), int(self.tab[p, rb])
        self.members[a][ra].remove(p)
        self.members[b][rb].remove(p)
        self.members[a][rb].add(p)
        self.members[b][ra].add(p)
        self.tab[p, ra], self.tab[p, rb] = b, a

    def push(self, start: int, ra: int, rb: int, accept) -> bool:
        """Move one seat of table ``start`` from round ``ra`` to ``rb`` along a chain.

        Each step swaps rounds ``ra``/``rb`` of one participant sitting at the current table
        in ``ra``; the chain ends at a table ``y`` with ``accept(y)`` (it can take one more
        in ``ra`` and one fewer in ``rb``).  Intermediate tables keep their loads.
        """
        parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
        queue = deque([start])
        while queue:
            x = queue.popleft()
            for q in self.members[x][ra]:
                if self.locked[q, ra] or self.locked[q, rb]:
                    continue
                y = int(self.tab[q, rb])
                if y in parent:
                    continue
                parent[y] = (x, q)
                if accept(y):
                    node = y
                    while node != start:
                        prev, who = parent[node]
                        self._swap(who, ra, rb)
                        node = prev
                    return True
                queue.append(y)
        return False

    def violations(self) -> list[tuple[int, int]]:
        out = []
        for t in range(self.n_tables):
            for r in range(self.rounds):
                size = self.load(t, r)
                if size > self.hi[t] or size < self.lo[t]:
                    out.append((t, r))
        return out

    def _excess_change(self, t: int, r: int, step: int) -> int:
        """Change of the cell's distance to ``[lo, hi]`` if its load changes by ``step``."""
        size = self.load(t, r)
        lo, hi = self.lo[t], self.hi[t]

        def dist(x: int) -> int:
            return max(0, x - hi) + max(0, lo - x)

        return dist(size + step) - dist(size)

    def _fits(self, y: int, ra: int, rb: int) -> bool:
        return self.load(y, ra) + 1 <= self.hi[y] and self.load(y, rb) - 1 >= self.lo[y]

    def _improves(self, t: int, ra: int, rb: int) -> int:
        return self._excess_change(t, ra, -1) + self._excess_change(t, rb, 1)

    def repair(self) -> bool:
        """Bring every (table, round) load within ``[lo, hi]``; False if stuck.

        Each step moves one seat of a violating cell to another round of the same table
        along an alternating path whose far end may be any table, as long as the total
        distance of all cells to their bounds strictly drops -- so the loop terminates.
        """
        while True:
            bad = self.violations()
            if not bad:
                return True
            for t, r in bad:
                over = self.load(t, r) > self.hi[t]
                pairs = [(r, r2) if over else (r2, r) for r2 in range(self.rounds) if r2 != r]
                pairs.sort(key=lambda pair, t=t: self._improves(t, *pair))
                moved = False
                for ra, rb in pairs:
                    gain = self._improves(t, ra, rb)
                    if gain >= 0:
                        break

                    def accept(y, ra=ra, rb=rb, gain=gain):
                        return gain + self._improves(y, rb, ra) < 0

                    if self.push(t, ra, rb, accept):
                        moved = True
                        break
                if moved:
                    break
            else:
                return False

    def balance(self, max_steps: int) -> None:
        """Best effort: even out each table's loads across rounds (sum of squares drops)."""
        steps = 0
        improved = True
        while improved and steps < max_steps:
            improved = False
            for t in range(self.n_tables):
                sizes = [self.load(t, r) for r in range(self.rounds)]
                ra = max(range(self.rounds), key=sizes.__getitem__)
                rb = min(range(self.rounds), key=sizes.__getitem__)
                if sizes[ra] - sizes[rb] < 2:
                    continue
                gain = sizes[ra] - sizes[rb] - 1  # start's half of the sum-of-squares drop

                def accept(y, ra=ra, rb=rb, gain=gain):
                    return self._fits(y, ra, rb) and self.load(y, ra) - self.load(y, rb) + 1 < gain

                if self.push(t, ra, rb, accept):
                    improved = True
                    steps += 1

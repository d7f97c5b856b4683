"""Step 2: split every participant's table set into rounds.

Seat copies: table ``t`` with ``V`` visits over ``R`` rounds is split into ``V // R`` full
copies of ``R`` visits and (if ``V % R``) one partial copy.  In the bipartite multigraph
participants x copies every degree is at most ``R``, so by Konig's theorem its edges can be
coloured with ``R`` colours (= rounds): every participant then sits at one table per round,
every copy seats at most one person per round, and table ``t`` seats ``V // R`` or
``ceil(V / R)`` people in every round -- as even as the table's total allows, hence within
``[min_seats, capacity]`` whenever ``V`` is within ``[min_seats * R, capacity * R]``.

The colouring peels ``R`` perfect matchings off the graph made ``R``-regular with dummy
participants (Hopcroft-Karp, ``scipy.sparse.csgraph.maximum_bipartite_matching``).

With organiser pins the participants' rounds are then permuted to honour the pins and the
resulting overfull / underfull (table, round) cells are repaired by alternating paths
(Kempe-chain style swaps of two rounds along a chain of participants), see
:func:`repair_loads`.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_bipartite_matching


def colour_rounds(sets: list[list[int]], n_tables: int, rounds: int) -> np.ndarray:
    """``N x rounds`` array: the table of each participant in each round."""
    n = len(sets)
    tab = np.full((n, rounds), -1, dtype=np.int64)
    if n == 0 or rounds == 0:
        return tab
    visitors: list[list[int]] = [[] for _ in range(n_tables)]
    for p, tables in enumerate(sets):
        for t in tables:
            visitors[t].append(p)
    copy_table: list[int] = []
    rows: list[int] = []
    cols: list[int] = []
    mult: list[int] = []
    deficits: list[tuple[int, int]] = []
    for t, who in enumerate(visitors):
        for start in range(0, len(who), rounds):
            chunk = who[start : start + rounds]
            c = len(copy_table)
            copy_table.append(t)
            for p in chunk:
                rows.append(p)
                cols.append(c)
                mult.append(1)
            if len(chunk) < rounds:
                deficits.append((c, rounds - len(chunk)))
    n_copies = len(copy_table)
    dummy = n
    room = rounds
    for c, missing in deficits:
        while missing:
            take = min(missing, room)
            rows.append(dummy)
            cols.append(c)
            mult.append(take)
            missing -= take
            room -= take
            if room == 0:
                dummy += 1
                room = rounds
    n_left = dummy
    if n_left != n_copies:  # pragma: no cover - guaranteed by the degree count
        raise AssertionError("seat-copy graph is not regular")
    r_arr = np.array(rows, dtype=np.int64)
    c_arr = np.array(cols, dtype=np.int64)
    m_arr = np.array(mult, dtype=np.int64)
    order = np.argsort(r_arr * n_copies + c_arr, kind="stable")
    r_arr, c_arr, m_arr = r_arr[order], c_arr[order], m_arr[order]
    keys = r_arr * n_copies + c_arr
    copy_tab = np.array(copy_table, dtype=np.int64)
    for rnd in range(rounds):
        live = m_arr > 0
        graph = sparse.csr_matrix(
            (np.ones(int(live.sum()), dtype=np.int8), (r_arr[live], c_arr[live])),
            shape=(n_left, n_copies),
        )
        match = maximum_bipartite_matching(graph, perm_type="column")
        if (match < 0).any():  # pragma: no cover - regular bipartite graphs match perfectly
            raise AssertionError("no perfect matching in a regular bipartite graph")
        tab[:, rnd] = copy_tab[match[:n]]
        idx = np.searchsorted(keys, np.arange(n_left) * n_copies + match)
        m_arr[idx] -= 1
    return tab


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

    def _fits(self, y: int, ra: int, rb: int) -> bool:
        return self.load(y, ra) + 1 <= self.hi[y] and self.load(y, rb) - 1 >= self.lo[y]

    def repair(self) -> bool:
        """Bring every (table, round) load within ``[lo, hi]``; False if stuck."""
        for _ in range(self.n_tables * self.rounds * (len(self.tab) + 1)):
            bad = self.violations()
            if not bad:
                return True
            t, r = bad[0]
            fixed = False
            if self.load(t, r) > self.hi[t]:
                others = sorted(
                    (self.load(t, rb), rb) for rb in range(self.rounds) if rb != r
                )
                for size, rb in others:
                    if size + 1 > self.hi[t]:
                        continue
                    if self.push(t, r, rb, lambda y, r=r, rb=rb: self._fits(y, r, rb)):
                        fixed = True
                        break
            else:
                others = sorted(
                    ((-self.load(t, ra), ra) for ra in range(self.rounds) if ra != r)
                )
                for neg, ra in others:
                    if -neg - 1 < self.lo[t]:
                        continue
                    if self.push(t, ra, r, lambda y, ra=ra, r=r: self._fits(y, ra, r)):
                        fixed = True
                        break
            if not fixed:
                return False
        return not self.violations()

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
                    return (
                        self._fits(y, ra, rb)
                        and self.load(y, ra) - self.load(y, rb) + 1 < gain
                    )

                if self.push(t, ra, rb, accept):
                    improved = True
                    steps += 1

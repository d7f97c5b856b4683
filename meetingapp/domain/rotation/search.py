"""Step 3: conflict-directed tabu search over moves that keep the preference score.

Cost, compared lexicographically (one integer with widely spaced weights): broken ``apart``
pairs, repeated encounters, same-organisation pairs, then balance (sum of squared loads).
Every (table, round) cell is a Python integer used as a bit set of its participants, so a
participant's repeats are ``sum_r (|c_r| - 1) - (|c_1 | ... | c_R| - 1)`` -- a handful of
big-integer operations -- and the pairs it meets twice are the "twos" of a bit-sliced count.

Each iteration takes a participant in conflict (meets someone twice, or sits with an
``apart`` partner), one of its rounds where the conflict happens, and evaluates every move
of that seat that keeps the total preference score and the hard constraints:

* ``relocate``: to another table it has not visited, of equal score for it;
* ``swap``: exchange the tables of two of its rounds;
* ``trade``: with someone at another table in the same round (score sum unchanged);
* ``exchange``: with someone who sits at its two tables in the opposite two rounds.

The best non-tabu move is made even when it is worse (tabu search); leaving table ``t`` in
round ``r`` makes returning there tabu for a few iterations, unless that gives a new best.
The search stops at the lower bound, after ``patience`` iterations without a new best, at
the iteration budget, or at the wall-clock deadline; the best plan seen is returned.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np

from . import metrics

W_VIOL = 1 << 120
W_REP = 1 << 80
W_ORG = 1 << 40


@dataclass
class SearchReport:
    iterations: int
    budget: int
    improvements: int
    stopped_by: str  # "bound", "stagnation", "budget" or "deadline"
    cost_before: tuple[int, int, int]
    cost_after: tuple[int, int, int]


class Mixer:
    """Mutable plan with incremental costs; ``locked[p][r]`` seats never move."""

    def __init__(self, tab, locked, score, org, lo, hi, n_tables, apart=()) -> None:
        n, rounds = tab.shape
        self.n, self.rounds, self.n_tables = n, rounds, n_tables
        self.tab: list[list[int]] = tab.tolist()
        self.locked: list[list[bool]] = np.asarray(locked, dtype=bool).tolist()
        self.score: list[list[int]] = score.tolist()
        self.lo = [int(v) for v in lo]
        self.hi = [int(v) for v in hi]
        self.bit = [1 << p for p in range(n)]
        self.cells = [0] * (n_tables * rounds)
        self.members: list[list[int]] = [[] for _ in range(n_tables * rounds)]
        self.slot = [[0] * rounds for _ in range(n)]
        for p, row in enumerate(self.tab):
            for r, t in enumerate(row):
                self._add(p, t * rounds + r, r)
        self.org = np.asarray(org)
        self.apart = sorted({(min(p, q), max(p, q)) for p, q in apart})  # a pair counts once
        org = self.org.tolist()
        masks: dict[int, int] = {}
        for p, o in enumerate(org):
            if o >= 0:
                masks[o] = masks.get(o, 0) | self.bit[p]
        self.org_mask = [masks[o] if o >= 0 else 0 for o in org]
        self.apart_mask = [0] * n
        for p, q in apart:
            self.apart_mask[p] |= self.bit[q]
            self.apart_mask[q] |= self.bit[p]
        self.free = [[r for r in range(rounds) if not lk[r]] for lk in self.locked]
        self.movable = [p for p in range(n) if self.free[p]]

    # --- bookkeeping ------------------------------------------------------------------
    def _add(self, p: int, c: int, r: int) -> None:
        self.cells[c] |= self.bit[p]
        self.slot[p][r] = len(self.members[c])
        self.members[c].append(p)

    def _remove(self, p: int, c: int, r: int) -> None:
        self.cells[c] &= ~self.bit[p]
        who = self.members[c]
        i = self.slot[p][r]
        last = who.pop()
        if last != p:
            who[i] = last
            self.slot[last][r] = i

    def move(self, p: int, r: int, t: int) -> int:
        """Seat ``p`` at ``t`` in round ``r``; returns the change of the balance term."""
        rounds = self.rounds
        old = self.tab[p][r]
        c_old, c_new = old * rounds + r, t * rounds + r
        la, lb = len(self.members[c_old]), len(self.members[c_new])
        self._remove(p, c_old, r)
        self._add(p, c_new, r)
        self.tab[p][r] = t
        return 2 * (lb - la + 1)

    # --- costs ------------------------------------------------------------------------
    def person(self, p: int) -> tuple[int, int, int]:
        """``(apart breaches, repeats, same-organisation pairs)`` that involve ``p``."""
        rounds, cells = self.rounds, self.cells
        union = 0
        meet = org = viol = 0
        om, am = self.org_mask[p], self.apart_mask[p]
        for r, t in enumerate(self.tab[p]):
            c = cells[t * rounds + r]
            union |= c
            meet += c.bit_count() - 1
            if om:
                org += (c & om).bit_count() - 1
            if am:
                viol += (c & am).bit_count()
        return viol, meet - union.bit_count() + 1, org

    def weighted(self, p: int) -> int:
        viol, rep, org = self.person(p)
        return viol * W_VIOL + rep * W_REP + org * W_ORG

    def totals(self) -> tuple[int, int, int]:
        """``(apart breaches, repeats, same-organisation pairs)`` of the whole plan."""
        tab = self.result()
        viol = sum(int((tab[p] == tab[q]).sum()) for p, q in self.apart)
        rep = metrics.repeat_pairs(tab, self.n_tables)
        return viol, rep, metrics.same_org_pairs(tab, self.n_tables, self.org)

    def balance(self) -> int:
        return sum(len(m) ** 2 for m in self.members)

    def twos(self, p: int) -> int:
        """Bit set of the participants ``p`` meets in two or more rounds."""
        rounds, cells = self.rounds, self.cells
        ones = twos = 0
        me = self.bit[p]
        for r, t in enumerate(self.tab[p]):
            c = cells[t * rounds + r] & ~me
            twos |= ones & c
            ones |= c
        return twos

    # --- moves ------------------------------------------------------------------------
    def delta(self, changes: list[tuple[int, int, int]]) -> int:
        """Exact cost change of ``changes`` (participant, round, table), applied in order."""
        total = 0
        done = []
        for p, r, t in changes:
            before = self.weighted(p)
            done.append((p, r, self.tab[p][r]))
            total += self.move(p, r, t)
            total += self.weighted(p) - before
        for p, r, t in reversed(done):
            self.move(p, r, t)
        return total

    def _fits(self, r: int, a: int, b: int) -> bool:
        rounds = self.rounds
        return (
            len(self.members[a * rounds + r]) - 1 >= self.lo[a]
            and len(self.members[b * rounds + r]) + 1 <= self.hi[b]
        )

    def _union(self, p: int, skip: tuple[int, ...]) -> int:
        rounds, cells = self.rounds, self.cells
        u = self.bit[p]
        for r, t in enumerate(self.tab[p]):
            if r not in skip:
                u |= cells[t * rounds + r]
        return u

    def evaluate(self, p: int, r: int, rng: random.Random, per_table: int):
        """``(cost change, changes)`` of every score-keeping move of ``p``'s seat in ``r``.

        The changes are computed from the bit sets without moving anybody (see the module
        docstring for the formulas' terms: meetings minus distinct partners, and so on).
        """
        rounds, tab, score, cells, members = (
            self.rounds,
            self.tab,
            self.score,
            self.cells,
            self.members,
        )
        lo, hi = self.lo, self.hi
        row = tab[p]
        a = row[r]
        sp = score[p]
        pb = self.bit[p]
        om, am = self.org_mask[p], self.apart_mask[p]
        ca = cells[a * rounds + r]
        la = len(members[a * rounds + r])
        u = self._union(p, (r,))
        base = (u | ca).bit_count()
        org_a = (ca & om).bit_count() - 1 if om else 0
        viol_a = (ca & am).bit_count() if am else 0
        can_leave = la - 1 >= lo[a]
        out = []
        for b in range(self.n_tables):
            if b == a or b in row:
                continue
            cb = cells[b * rounds + r]
            lb = len(members[b * rounds + r])
            d_rep_p = lb - la + 1 - ((u | cb).bit_count() - base)
            d_org_p = (cb & om).bit_count() - org_a if om else 0
            d_viol_p = (cb & am).bit_count() - viol_a if am else 0
            if sp[b] == sp[a] and can_leave and lb + 1 <= hi[b]:
                d = d_viol_p * W_VIOL + d_rep_p * W_REP + d_org_p * W_ORG + 2 * (lb - la + 1)
                out.append((d, [(p, r, b)]))
            who = members[b * rounds + r]
            k = len(who)
            if not k:
                continue
            ca2 = ca & ~pb
            cb2 = cb | pb
            picks = who if k <= per_table else [who[rng.randrange(k)] for _ in range(per_table)]
            for q in picks:
                if self.locked[q][r] or a in tab[q]:
                    continue
                sq = score[q]
                if sp[a] + sq[b] != sp[b] + sq[a]:
                    continue
                uq = self._union(q, (r,))
                d_rep = d_rep_p + (la - 1 - lb) - ((uq | ca2).bit_count() - (uq | cb2).bit_count())
                oq, aq = self.org_mask[q], self.apart_mask[q]
                d_org = d_org_p + ((ca2 & oq).bit_count() - (cb2 & oq).bit_count() + 1 if oq else 0)
                d_viol = d_viol_p + ((ca2 & aq).bit_count() - (cb2 & aq).bit_count() if aq else 0)
                out.append(
                    (d_viol * W_VIOL + d_rep * W_REP + d_org * W_ORG, [(p, r, b), (q, r, a)])
                )
        for r2 in self.free[p]:
            if r2 == r:
                continue
            b = row[r2]
            c_b2 = cells[b * rounds + r2]
            c_br = cells[b * rounds + r]
            c_a2 = cells[a * rounds + r2]
            l_b2 = len(members[b * rounds + r2])
            l_br = len(members[b * rounds + r])
            l_a2 = len(members[a * rounds + r2])
            if can_leave and l_br + 1 <= hi[b] and l_b2 - 1 >= lo[b] and l_a2 + 1 <= hi[a]:
                u0 = self._union(p, (r, r2))
                d_meet = l_br + l_a2 - (la - 1 + l_b2 - 1)
                d_rep = d_meet - ((u0 | c_br | c_a2).bit_count() - (u0 | ca | c_b2).bit_count())
                d_org = (
                    (c_br & om).bit_count()
                    + (c_a2 & om).bit_count()
                    - (ca & om).bit_count()
                    - (c_b2 & om).bit_count()
                    + 2
                    if om
                    else 0
                )
                d_viol = (
                    (c_br & am).bit_count()
                    + (c_a2 & am).bit_count()
                    - (ca & am).bit_count()
                    - (c_b2 & am).bit_count()
                    if am
                    else 0
                )
                d_bal = 2 * (l_br - la + 1) + 2 * (l_a2 - l_b2 + 1)
                out.append(
                    (
                        d_viol * W_VIOL + d_rep * W_REP + d_org * W_ORG + d_bal,
                        [(p, r, b), (p, r2, a)],
                    )
                )
            common = c_br & c_a2
            while common:
                low = common & -common
                q = low.bit_length() - 1
                common ^= low
                if not (self.locked[q][r] or self.locked[q][r2]):
                    move = [(p, r, b), (p, r2, a), (q, r, a), (q, r2, b)]
                    out.append((self._exchange(p, q, r, r2, a, b), move))
                    break
        return out

    def _exchange(self, p: int, q: int, r: int, r2: int, a: int, b: int) -> int:
        """Cost change when ``p`` (``a`` in ``r``, ``b`` in ``r2``) and ``q`` (the other way
        round) both swap those two rounds: ``p`` first, then ``q`` in the updated cells."""
        rounds, cells = self.rounds, self.cells
        pb = self.bit[p]
        ca, c_b2 = cells[a * rounds + r], cells[b * rounds + r2]
        c_br, c_a2 = cells[b * rounds + r], cells[a * rounds + r2]
        total = 0
        for who, old1, old2, new1, new2 in (
            (p, ca, c_b2, c_br, c_a2),
            (q, c_br | pb, c_a2 | pb, ca & ~pb, c_b2 & ~pb),
        ):
            u0 = self._union(who, (r, r2))
            me = self.bit[who]
            d_meet = new1.bit_count() + new2.bit_count() - old1.bit_count() - old2.bit_count() + 2
            d_rep = d_meet - ((u0 | new1 | new2).bit_count() - (u0 | old1 | old2).bit_count())
            total += d_rep * W_REP
            om, am = self.org_mask[who], self.apart_mask[who]
            if om:
                new = ((new1 | me) & om).bit_count() + ((new2 | me) & om).bit_count()
                total += (new - (old1 & om).bit_count() - (old2 & om).bit_count()) * W_ORG
            if am:
                new = (new1 & am).bit_count() + (new2 & am).bit_count()
                total += (new - (old1 & am).bit_count() - (old2 & am).bit_count()) * W_VIOL
        return total

    def conflicted(self, use_org: bool) -> list[int]:
        """Movable participants who meet someone twice (or sit with an apart partner, or
        with their own organisation when ``use_org``), found by counting cell keys."""
        tab = np.array(self.tab, dtype=np.int64).reshape(self.n, self.rounds)
        bad = np.zeros(self.n, dtype=bool)
        t = self.n_tables
        for r1 in range(self.rounds):
            for r2 in range(r1 + 1, self.rounds):
                _, inv, counts = np.unique(
                    tab[:, r1] * t + tab[:, r2], return_inverse=True, return_counts=True
                )
                bad |= counts[inv.reshape(-1)] > 1
        if use_org:
            org = np.array([-1] * self.n)
            for p in range(self.n):
                if self.org_mask[p]:
                    org[p] = (self.org_mask[p] & -self.org_mask[p]).bit_length()
            has = org >= 0
            for r in range(self.rounds):
                key = tab[:, r] * (self.n + 1) + org
                _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
                bad |= has & (counts[inv.reshape(-1)] > 1)
        for p in range(self.n):
            if self.apart_mask[p] and self.person(p)[0]:
                bad[p] = True
        return [p for p in self.movable if bad[p]]

    def conflict_rounds(self, p: int, use_org: bool) -> list[int]:
        rounds, cells = self.rounds, self.cells
        bad = self.twos(p) | self.apart_mask[p]
        if use_org:
            bad |= self.org_mask[p] & ~self.bit[p]
        return [r for r in self.free[p] if cells[self.tab[p][r] * rounds + r] & bad]

    def result(self) -> np.ndarray:
        return np.array(self.tab, dtype=np.int64).reshape(self.n, self.rounds)


def tabu_search(
    mixer: Mixer,
    *,
    bound: tuple[int, int],
    budget: int,
    patience: int,
    seed: int,
    deadline: float | None,
    even_balance: int = 0,
    kicks: int = 8,
) -> tuple[np.ndarray, SearchReport]:
    """Improve ``mixer`` in place; returns the best plan seen and a report.

    ``bound`` = (repeat lower bound, same-organisation lower bound): reaching both with no
    ``apart`` breach and a balance of at most ``even_balance`` stops the search at once.
    After ``patience`` iterations without a new best the search restarts from the best plan
    with a few random moves (a kick); after ``kicks`` such restarts it stops.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible search, not security
    start = mixer.totals()
    viol, rep, org = start
    cost = viol * W_VIOL + rep * W_REP + org * W_ORG + mixer.balance()
    best_cost = cost
    best = start
    journal: list[tuple[int, int, int]] = []  # moves since the best plan: undone at the end
    tabu: dict[tuple[int, int, int], int] = {}
    improvements = since = it = kicked = 0
    stopped = "budget"
    per_table = 8 if mixer.n <= 600 else 2
    # Wider looks pay on small rooms, cheap iterations on big ones (measured at equal time).
    seats_per_iteration, moves_per_iteration = (10, 40) if mixer.n <= 1000 else (3, 12)
    pool: list[int] = []
    while it < budget:
        if (
            best[0] == 0
            and best[1] <= bound[0]
            and best[2] <= bound[1]
            and best_cost % W_ORG <= even_balance
        ):
            stopped = "bound"
            break
        if since >= patience:
            if kicked >= kicks:
                stopped = "stagnation"
                break
            kicked += 1
            since = 0
            cost = _kick(mixer, journal, best_cost, rng, tabu)
            pool = []
        if it & 63 == 0 and deadline is not None and time.perf_counter() > deadline:
            stopped = "deadline"
            break
        it += 1
        since += 1
        use_org = best[1] <= bound[0] or not pool
        if not pool or it % 50 == 0:
            pool = mixer.conflicted(use_org)
            if not pool:
                pool = mixer.conflicted(True)
            if not pool:
                stopped = "bound"
                break
        chosen, chosen_delta = None, None
        seen = 0
        for _ in range(seats_per_iteration):
            if seen >= moves_per_iteration or not pool:
                break
            p = pool[rng.randrange(len(pool))]
            rounds = mixer.conflict_rounds(p, use_org)
            if not rounds:
                pool.remove(p)
                continue
            r = rounds[rng.randrange(len(rounds))]
            for d, move in mixer.evaluate(p, r, rng, per_table):
                seen += 1
                if chosen_delta is not None and d >= chosen_delta:
                    continue
                if any(tabu.get((q, rr, t), 0) > it for q, rr, t in move):
                    if cost + d >= best_cost:
                        continue
                chosen, chosen_delta = move, d
        if chosen is None:
            continue
        for q, rr, t in chosen:
            old = mixer.tab[q][rr]
            tabu[q, rr, old] = it + 4 + rng.randrange(TENURE)
            journal.append((q, rr, old))
            mixer.move(q, rr, t)
        cost += chosen_delta
        if cost < best_cost:
            best_cost = cost
            journal.clear()
            best = (
                cost // W_VIOL,
                (cost % W_VIOL) // W_REP,
                (cost % W_REP) // W_ORG,
            )
            improvements += 1
            since = 0
    for q, rr, t in reversed(journal):
        mixer.move(q, rr, t)
    tab = mixer.result()
    return tab, SearchReport(it, budget, improvements, stopped, start, best)


TENURE = 10
KICK_MOVES = 4


def _kick(mixer: Mixer, journal, best_cost: int, rng: random.Random, tabu) -> int:
    """Back to the best plan, then a few random score-keeping moves; returns the cost."""
    for q, rr, t in reversed(journal):
        mixer.move(q, rr, t)
    journal.clear()
    tabu.clear()
    cost = best_cost
    for _ in range(KICK_MOVES * 4):
        if len(journal) >= KICK_MOVES * 2 or not mixer.movable:
            break
        p = mixer.movable[rng.randrange(len(mixer.movable))]
        r = mixer.free[p][rng.randrange(len(mixer.free[p]))]
        options = [(d, m) for d, m in mixer.evaluate(p, r, rng, 2) if d < W_VIOL]
        if not options:
            continue
        d, move = options[rng.randrange(len(options))]
        for q, rr, t in move:
            journal.append((q, rr, mixer.tab[q][rr]))
            mixer.move(q, rr, t)
        cost += d
    return cost

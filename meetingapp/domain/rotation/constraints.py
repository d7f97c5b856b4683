"""The organisers' rules: ``moves=False``, ``apart`` and ``together``.

``together`` pairs join participants into parties (connected components) that sit at one
table in every round; a party with a member who does not move stays at one table, all of
it.  Pins of one member bind the whole party; a pin of someone who stays binds all rounds.
Contradictions are :class:`Infeasible` with one line.

When a party or an unplaced stayer exists the table *sets* are no longer a network flow
(a party takes ``k`` seats at once, a stayer ``R`` visits of one table), so the exact
optimum over sets comes from a small integer programme (:func:`set_level_milp`, HiGHS via
scipy, imported only then): parties and stayers are 0/1 choices, everybody else stays in
integer group flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .jsonio import show
from .model import Infeasible


@dataclass
class Rules:
    party_of: np.ndarray  # n: party index (every participant is in exactly one party)
    parties: list[list[int]]  # members, input order
    stays: np.ndarray  # n bool: keeps one table (whole party)
    apart: list[tuple[int, int]] = field(default_factory=list)

    @property
    def together_pairs(self) -> int:
        return sum(len(m) * (len(m) - 1) // 2 for m in self.parties)

    @property
    def simple(self) -> bool:
        return all(len(m) == 1 for m in self.parties) and not self.stays.any()


def _find(parent: list[int], p: int) -> int:
    while parent[p] != p:
        parent[p] = parent[parent[p]]
        p = parent[p]
    return p


def prepare(problem) -> Rules:
    """Parties, stayers and apart pairs as indices (contradictions are Infeasible)."""
    people, tables = problem.participants, problem.tables
    n = len(people)
    index = {p.id: i for i, p in enumerate(people)}
    parent = list(range(n))
    for a, b in problem.together:
        ra, rb = _find(parent, index[a]), _find(parent, index[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [_find(parent, p) for p in range(n)]
    order: dict[int, int] = {}
    parties: list[list[int]] = []
    party_of = np.empty(n, dtype=np.int64)
    for p, root in enumerate(roots):
        if root not in order:
            order[root] = len(parties)
            parties.append([])
        party_of[p] = order[root]
        parties[order[root]].append(p)
    stays = np.zeros(n, dtype=bool)
    for members in parties:
        if any(not people[p].moves for p in members):
            stays[members] = True
    apart = []
    for a, b in problem.apart:
        pa, pb = index[a], index[b]
        if party_of[pa] == party_of[pb]:
            raise Infeasible(
                f"participants {show(a)} and {show(b)} must be kept apart but must also sit "
                "together (through together pairs)"
            )
        apart.append((pa, pb))
    biggest = max((t.capacity for t in tables), default=0)
    for members in parties:
        if len(members) > biggest:
            raise Infeasible(
                f"participants {_names(people, members)} must sit together but no table seats "
                f"{len(members)}"
            )
    return Rules(party_of, parties, stays, apart)


def spread_pins(problem, rules: Rules, fixed: dict[tuple[int, int], int]) -> dict:
    """Pins of one party member bind the party; a stayer's pin binds every round."""
    people, tables = problem.participants, problem.tables
    rounds, stays, apart = problem.rounds, rules.stays, rules.apart
    fixed = dict(fixed)
    for members in rules.parties:
        seats: dict[int, tuple[int, int]] = {}
        for p in members:
            for r in range(rounds):
                t = fixed.get((p, r))
                if t is None:
                    continue
                rr = -1 if stays[p] else r
                if rr in seats and seats[rr][0] != t:
                    other = seats[rr][1]
                    where = "" if rr < 0 else f" in round {r}"
                    what = "stays at one table" if stays[p] else "must sit together"
                    who = (
                        f"participant {show(people[p].id)}"
                        if other == p
                        else f"participants {show(people[other].id)} and {show(people[p].id)}"
                    )
                    raise Infeasible(
                        f"{who} {what} but {'is' if other == p else 'are'} pinned to tables "
                        f"{show(tables[seats[rr][0]].id)} and {show(tables[t].id)}{where}"
                    )
                seats[rr] = (t, p)
        for key, (t, _) in seats.items():
            for p in members:
                for r in range(rounds) if key < 0 else [key]:
                    fixed[p, r] = t
    for members in rules.parties:
        if stays[members[0]] or len(members) < 2:
            continue
        lead, seen = members[0], {}
        for r in range(rounds):
            t = fixed.get((lead, r))
            if t is not None and seen.setdefault(t, r) != r:
                raise Infeasible(
                    f"participants {_names(people, members)} must sit together but their pins "
                    f"put them at table {show(tables[t].id)} twice (rounds {seen[t]} and {r})"
                )
    _check_counts(fixed, tables)
    for pa, pb in apart:
        for r in range(rounds):
            ta, tb = fixed.get((pa, r)), fixed.get((pb, r))
            if ta is not None and ta == tb:
                raise Infeasible(
                    f"participants {show(people[pa].id)} and {show(people[pb].id)} must be "
                    f"kept apart but are both pinned to table {show(tables[ta].id)} in round {r}"
                )
    return fixed


def _names(people, members: list[int]) -> str:
    names = [show(people[p].id) for p in members]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _check_counts(fixed: dict[tuple[int, int], int], tables) -> None:
    counts: dict[tuple[int, int], int] = {}
    for (_, r), t in fixed.items():
        counts[t, r] = counts.get((t, r), 0) + 1
    for (t, r), k in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if k > tables[t].capacity:
            raise Infeasible(
                f"round {r}: {k} participants pinned to table {show(tables[t].id)} but it "
                f"seats {tables[t].capacity}"
            )


@dataclass
class Unit:
    members: list[int]
    stays: bool
    score: np.ndarray  # T: score per round of the whole unit
    allowed: np.ndarray  # T bool
    forced: np.ndarray  # T bool
    member_scores: np.ndarray | None = None  # members x T, for the branch and bound


def set_level_milp(units, g_score, g_lb, g_ub, g_size, lo, hi, rounds, apart_units, stay_cap):
    """Optimal 0/1 table choices of ``units`` with the other groups' flows, or None.

    ``lo``/``hi``: per-table visit bounds over the ``rounds`` rounds; ``stay_cap``: seats per
    round a table has for stayers; ``apart_units``: pairs of unit indices.  Returns
    ``(choices, value)`` with ``choices[u]`` the unit's tables.
    """
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_t = len(lo)
    cols_c, cols_lb, cols_ub = [], [], []
    rows_tab, rows_tab_w = [], []
    eq_rows, eq_rhs = [], []
    var_of: dict[tuple[str, int, int], int] = {}

    def new(kind, i, t, cost, lb, ub, weight):
        v = len(cols_c)
        var_of[kind, i, t] = v
        cols_c.append(-float(cost))
        cols_lb.append(lb)
        cols_ub.append(ub)
        rows_tab.append((t, v))
        rows_tab_w.append(weight)
        return v

    for g in range(len(g_size)):
        vs = [
            new("g", g, t, g_score[g, t], g_lb[g, t], g_ub[g, t], 1.0)
            for t in range(n_t)
            if g_ub[g, t] > 0
        ]
        eq_rows.append(vs)
        eq_rhs.append(float(g_size[g] * rounds))
    for u, unit in enumerate(units):
        k = len(unit.members)
        per = rounds if unit.stays else 1
        vs = []
        for t in range(n_t):
            if not unit.allowed[t] or (unit.stays and k > stay_cap[t]):
                continue
            vs.append(
                new("u", u, t, unit.score[t] * per, float(unit.forced[t]), 1.0, float(k * per))
            )
        if not vs:
            return None
        eq_rows.append(vs)
        eq_rhs.append(1.0 if unit.stays else float(rounds))
    nv = len(cols_c)
    if nv == 0:
        return None
    rr, cc, vv, lo_r, hi_r = [], [], [], [], []
    row = 0
    for vs, rhs in zip(eq_rows, eq_rhs, strict=True):
        rr += [row] * len(vs)
        cc += vs
        vv += [1.0] * len(vs)
        lo_r.append(rhs)
        hi_r.append(rhs)
        row += 1
    for t in range(n_t):
        here = [(v, w) for (tt, v), w in zip(rows_tab, rows_tab_w, strict=True) if tt == t]
        rr += [row] * len(here)
        cc += [v for v, _ in here]
        vv += [w for _, w in here]
        lo_r.append(float(lo[t]))
        hi_r.append(float(hi[t]))
        row += 1
        stay = [
            (var_of["u", u, t], len(units[u].members))
            for u in range(len(units))
            if units[u].stays and ("u", u, t) in var_of
        ]
        if stay:
            rr += [row] * len(stay)
            cc += [v for v, _ in stay]
            vv += [float(k) for _, k in stay]
            lo_r.append(0.0)
            hi_r.append(float(stay_cap[t]))
            row += 1
    for a, b in apart_units:
        for t in range(n_t):
            if ("u", a, t) in var_of and ("u", b, t) in var_of:
                rr += [row, row]
                cc += [var_of["u", a, t], var_of["u", b, t]]
                vv += [1.0, 1.0]
                lo_r.append(0.0)
                hi_r.append(1.0)
                row += 1
    matrix = sparse.csr_matrix((vv, (rr, cc)), shape=(row, nv))
    res = milp(
        np.array(cols_c),
        constraints=[LinearConstraint(matrix, lo_r, hi_r)],
        bounds=Bounds(cols_lb, cols_ub),
        integrality=np.ones(nv),
        options={"time_limit": 30.0},
    )
    if res.x is None:
        return None
    x = np.round(res.x).astype(np.int64)
    choices = [
        [t for t in range(n_t) if ("u", u, t) in var_of and x[var_of["u", u, t]]]
        for u in range(len(units))
    ]
    return choices, int(round(-res.fun))

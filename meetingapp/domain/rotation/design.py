"""Zero-repeat rotations from finite fields (the start when preferences tie).

Let ``q`` be a prime power and ``GF(q)`` its field.  Seat person ``(x, y)``, ``x`` in
``GF(q)``, ``y < s <= q - 1``, at table ``x + r * (y + 1)`` in round ``r`` (``r`` and ``y + 1``
read as field elements; ``y + 1`` is never 0).  In one round the people of one row ``y``
are spread one per table, so every table seats ``s`` people; a person's tables differ from
round to round (``(y + 1) * (r - r') != 0``); and two people meet in round ``r`` only if
``x - x' = r * (y' - y)``: never when ``y = y'``, in exactly one ``r`` of ``GF(q)``
otherwise -- so nobody meets anybody twice (the lines of an affine plane).  ``rounds <= q``
rounds and ``n <= q * s`` people: fill rows ``0, 1, ...`` in order; a part-filled last row
keeps every table within one seat of the others in every round.

Organisations are packed into rows (largest first, first fit): two people of one row never
meet, so an organisation that fits in a row never sits together.
"""

from __future__ import annotations

import numpy as np


def prime_power(q: int) -> tuple[int, int] | None:
    """``(p, k)`` with ``q == p ** k`` for a prime ``p``, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k, rest = 0, q
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


def _times(digits: np.ndarray, p: int, modulus: list[int]) -> np.ndarray:
    """Every element (rows of base-``p`` digits) times the generator ``x``, mod ``modulus``."""
    top = digits[:, -1:]
    shifted = np.concatenate([np.zeros_like(top), digits[:, :-1]], axis=1)
    return (shifted - top * np.array(modulus[:-1])) % p


def field(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Addition and multiplication tables of ``GF(q)`` (elements ``0 .. q - 1``)."""
    pk = prime_power(q)
    if pk is None:
        raise ValueError(f"{q} is not a prime power")
    p, k = pk
    idx = np.arange(q)
    if k == 1:
        return (idx[:, None] + idx) % q, (idx[:, None] * idx) % q
    digits = np.array([[(a // p**i) % p for i in range(k)] for a in range(q)])
    weights = p ** np.arange(k)
    add = ((digits[:, None, :] + digits[None, :, :]) % p) @ weights
    for tail in range(p**k):  # first monic polynomial of degree k with no zero divisors
        modulus = [(tail // p**i) % p for i in range(k)] + [1]
        powers = [digits]
        for _ in range(k - 1):
            powers.append(_times(powers[-1], p, modulus))
        # a * b = sum_i b_i * (a * x^i), digit by digit mod p
        prod = sum(digits[None, :, i, None] * powers[i][:, None, :] for i in range(k)) % p
        mul = prod @ weights
        if (mul[1:, 1:] != 0).all():
            return add, mul
    raise AssertionError("no irreducible polynomial found")  # pragma: no cover


def _rows_for(org: np.ndarray, q: int, n: int) -> list[int]:
    """Order of the participants along the slots ``(x, y)`` (row-major)."""
    full, part = divmod(n, q)
    sizes = [q] * full + ([part] if part else [])
    free = list(sizes)
    rows: list[list[int]] = [[] for _ in sizes]
    groups: dict[int, list[int]] = {}
    singles = []
    for p, o in enumerate(org.tolist()):
        (groups.setdefault(o, []) if o >= 0 else singles).append(p)
    for members in sorted(groups.values(), key=len, reverse=True):
        while members:
            # the row with the most room that takes the rest whole, else the emptiest
            fit = [y for y in range(len(sizes)) if free[y] >= len(members)]
            y = (
                min(fit, key=lambda i: free[i])
                if fit
                else max(range(len(sizes)), key=free.__getitem__)
            )
            take = members[: free[y]]
            members = members[free[y] :]
            rows[y].extend(take)
            free[y] -= len(take)
    for y in range(len(sizes)):
        while free[y]:
            rows[y].append(singles.pop())
            free[y] -= 1
    return [p for row in rows for p in row]


def affine_rotation(n: int, n_tables: int, rounds: int, org: np.ndarray) -> np.ndarray | None:
    """``n x rounds`` tables with no repeated encounter, or None if the family does not fit.

    Needs ``n_tables`` a prime power, ``rounds <= n_tables`` and
    ``n <= n_tables * (n_tables - 1)``.  Tables seat ``ceil(n / n_tables)`` or one fewer.
    """
    q = n_tables
    if prime_power(q) is None or rounds > q or n > q * (q - 1) or n == 0:
        return None
    add, mul = field(q)
    order = _rows_for(np.asarray(org), q, n)
    slots = np.arange(n)
    x, y = slots % q, slots // q
    tab = np.empty((n, rounds), dtype=np.int64)
    for r in range(rounds):
        tab[order, r] = add[x, mul[r, y + 1]]
    return tab

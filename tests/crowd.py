"""A crowd for roster tests: thousands of people and their registrations for one session, written
with plain bulk INSERTs (a second or so), not thousands of use-case calls.

    crowd = seed_crowd(session_id, 2000, confirmed=1500, cancelled=100, now=NOW)

The first ``confirmed`` people are confirmed, the next ``cancelled`` cancelled, the rest wait in
order. Names mix Latin (with accents), Cyrillic, Arabic and Chinese scripts; entities are spread
over a dozen UN entities created here, the first one (``crowd.entities[0]``, "CRWD1") holding
every tenth person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from meetingapp.extensions import db
from meetingapp.models import Organisation, Registration, RegistrationStatus, Role, User
from tests.factories import password_hash

FIRST = ["Ana", "José", "Chen", "Olga", "Amina", "Pierre", "Yuki", "Kwame", "Lucía", "Ingrid"]
LAST = [
    "Silva",
    "Müller",
    "王",
    "Иванова",
    "Haddad",
    "Dubois",
    "Tanaka",
    "Mensah",
    "García",
    "Berg",
]


@dataclass(frozen=True)
class Crowd:
    user_ids: list[int]
    registration_ids: list[int]
    entities: list[tuple[int, str]]  # (id, short name)

    def email(self, n: int) -> str:
        return f"crowd{n:04d}@example.org"


def person_name(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n:04d}"


def seed_crowd(
    session_id: int,
    count: int,
    *,
    confirmed: int,
    cancelled: int = 0,
    now: datetime,
    entity_count: int = 12,
) -> Crowd:
    existing = {o.short_name: o.id for o in db.session.scalars(select(Organisation))}
    names = [f"CRWD{i}" for i in range(1, entity_count + 1)]
    missing = [n for n in names if n not in existing]
    if missing:
        db.session.execute(
            insert(Organisation),
            [{"short_name": n, "full_name": f"Crowd entity {n[4:]}"} for n in missing],
        )
        existing = {o.short_name: o.id for o in db.session.scalars(select(Organisation))}
    entities = [(existing[n], n) for n in names]
    hashed = password_hash()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"crowd{n:04d}@example.org",
                "name": person_name(n),
                "organisation_id": entities[0 if n % 10 == 0 else 1 + n % (entity_count - 1)][0],
                "role": Role.PARTICIPANT,
                "password_hash": hashed,
                "created_at": now,
            }
            for n in range(count)
        ],
    )
    ids = dict(
        db.session.execute(
            select(User.email, User.id).where(User.email.like("crowd%@example.org"))
        ).all()
    )
    user_ids = [ids[f"crowd{n:04d}@example.org"] for n in range(count)]
    rows = []
    for n, uid in enumerate(user_ids):
        at = now + timedelta(seconds=n)
        if n < confirmed:
            rows.append({"status": RegistrationStatus.CONFIRMED, "confirmed_at": at})
        elif n < confirmed + cancelled:
            rows.append({"status": RegistrationStatus.CANCELLED, "cancelled_at": at})
        else:
            rows.append({"status": RegistrationStatus.WAITLISTED, "waitlist_rank": n})
        rows[-1].update(session_id=session_id, user_id=uid, created_at=at)
    db.session.execute(insert(Registration), rows)
    registration_ids = list(
        db.session.scalars(
            select(Registration.id)
            .where(Registration.session_id == session_id, Registration.user_id.in_(user_ids))
            .order_by(Registration.created_at, Registration.id)
        )
    )
    db.session.commit()
    return Crowd(user_ids, registration_ids, entities)

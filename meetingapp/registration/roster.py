"""Named reads of the organiser's roster: one page of a session's registrations, searched,
filtered and sorted in SQL, and the same filtered rows for exports, bulk actions and messages.

A page costs a constant number of queries whatever the roster's size (the rows of the page with
their waitlist positions, the filtered total, the counts by status, the entities present).
Filters travel in the query string (``RosterFilter.from_args`` / ``.args``), so a URL can be
shared and an export holds exactly the rows the page filtered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from meetingapp.domain.capacity import seats_to_promote
from meetingapp.extensions import db
from meetingapp.models import Organisation, Registration, RegistrationStatus, User
from meetingapp.registration.queries import availability_for, waitlist_for

STATUSES = ("active", "confirmed", "waitlisted", "cancelled", "all")
SORTS = ("status", "name", "entity", "registered", "-registered")
PER_PAGE = (50, 100, 200)
MAX_QUERY = 100
_STATUS_SETS = {
    "active": (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
    "confirmed": (RegistrationStatus.CONFIRMED,),
    "waitlisted": (RegistrationStatus.WAITLISTED,),
    "cancelled": (RegistrationStatus.CANCELLED,),
    "all": tuple(RegistrationStatus),
}


def _positive(value: str | None, default: int) -> int:
    return (
        int(value) if value and value.isascii() and value.isdigit() and len(value) < 7 else default
    )


@dataclass(frozen=True)
class RosterFilter:
    """Search, filters, order and page of the roster, as the query string carries them."""

    q: str = ""
    status: str = "active"
    entity: int = 0  # an organisation's id; 0: any
    sort: str = "status"
    page: int = 1
    per_page: int = PER_PAGE[0]

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RosterFilter:
        """Unknown or malformed values fall back to the defaults: a URL never fails."""
        status = args.get("status", "")
        sort = args.get("sort", "")
        per_page = _positive(args.get("per_page"), PER_PAGE[0])
        return cls(
            q=" ".join((args.get("q") or "").split())[:MAX_QUERY],
            status=status if status in STATUSES else "active",
            entity=_positive(args.get("entity"), 0),
            sort=sort if sort in SORTS else "status",
            page=max(_positive(args.get("page"), 1), 1),
            per_page=per_page if per_page in PER_PAGE else PER_PAGE[0],
        )

    def args(self, **changes) -> dict[str, object]:
        """The query-string arguments that differ from the defaults (for ``url_for``)."""
        chosen = replace(self, **changes)
        default = RosterFilter()
        return {
            name: getattr(chosen, name)
            for name in ("q", "status", "entity", "sort", "page", "per_page")
            if getattr(chosen, name) != getattr(default, name)
        }

    @property
    def narrowed(self) -> bool:
        """Whether a search or an entity narrows the rows (beyond the status)."""
        return bool(self.q or self.entity)


@dataclass(frozen=True)
class RosterRow:
    registration_id: int
    user_id: int
    name: str
    email: str
    entity: str
    entity_name: str
    status: str
    position: int | None  # on the waitlist, 1-based
    override: bool
    registered_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    online: bool = False  # on an online seat of a hybrid session
    reconfirmed_at: datetime | None = None  # said they are still coming, when asked


@dataclass(frozen=True)
class RosterPage:
    rows: list[RosterRow]
    total: int  # rows matching the filter, on every page
    filter: RosterFilter
    counts: dict[str, int] = field(default_factory=dict)  # the whole session, by status
    entities: list[tuple[int, str]] = field(default_factory=list)  # (id, short name) present

    @property
    def pages(self) -> int:
        return max((self.total + self.filter.per_page - 1) // self.filter.per_page, 1)

    @property
    def first_index(self) -> int:
        return (self.filter.page - 1) * self.filter.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def _positions(session_id: int):
    """Each waitlisted registration's place in the line (1-based), as a subquery."""
    return (
        select(
            Registration.id.label("registration_id"),
            func.row_number()
            .over(order_by=(Registration.waitlist_rank, Registration.id))
            .label("position"),
        )
        .where(
            Registration.session_id == session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .subquery()
    )


def _filtered(session_id: int, chosen: RosterFilter, columns) -> Select:
    stmt = (
        select(*columns)
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            Registration.session_id == session_id,
            Registration.status.in_(_STATUS_SETS[chosen.status]),
        )
    )
    if chosen.entity:
        stmt = stmt.where(User.organisation_id == chosen.entity)
    for word in chosen.q.split():
        stmt = stmt.where(
            or_(
                User.name.icontains(word, autoescape=True),
                User.email.icontains(word, autoescape=True),
                Organisation.short_name.icontains(word, autoescape=True),
                Organisation.full_name.icontains(word, autoescape=True),
            )
        )
    return stmt


def _positions_of(session_id: int, registration_ids: list[int] | None) -> dict[int, int]:
    """{registration id: place in the line} for these registrations (None: every one).

    A query of its own rather than a join: SQLite cannot index the window subquery, so joining
    it to every row of the roster scanned the whole waitlist per row (2 s at 2,000 people).
    """
    if registration_ids == []:
        return {}
    positions = _positions(session_id)
    stmt = select(positions.c.registration_id, positions.c.position)
    if registration_ids is not None:
        stmt = stmt.where(positions.c.registration_id.in_(registration_ids))
    return {rid: position for rid, position in db.session.execute(stmt)}


def _ordered(stmt: Select, chosen: RosterFilter) -> Select:
    waitlisted = Registration.status == RegistrationStatus.WAITLISTED
    # The place in the line, in the order _positions numbers it.
    position = (case((waitlisted, Registration.waitlist_rank)), case((waitlisted, Registration.id)))
    status_order = case(
        (Registration.status == RegistrationStatus.CONFIRMED, 0),
        (Registration.status == RegistrationStatus.WAITLISTED, 1),
        else_=2,
    )
    in_status = (
        status_order,
        *position,
        case((Registration.status == RegistrationStatus.CANCELLED, Registration.cancelled_at)),
        Registration.confirmed_at,
        Registration.created_at,
    )
    keys = {
        "status": in_status,
        "name": (func.lower(User.name),),
        "entity": (
            Organisation.short_name.is_(None),
            Organisation.short_name,
            func.lower(User.name),
        ),
        "registered": (Registration.created_at,),
        "-registered": (Registration.created_at.desc(),),
    }[chosen.sort]
    return stmt.order_by(*keys, Registration.id)


def _rows_statement(session_id: int, chosen: RosterFilter) -> Select:
    stmt = _filtered(
        session_id,
        chosen,
        (
            Registration.id,
            User.id,
            User.name,
            User.email,
            func.coalesce(Organisation.short_name, ""),
            func.coalesce(Organisation.full_name, ""),
            Registration.status,
            Registration.override,
            Registration.created_at,
            Registration.confirmed_at,
            Registration.cancelled_at,
            Registration.online,
            Registration.reconfirmed_at,
        ),
    )
    return _ordered(stmt, chosen)


def _row(values, positions: dict[int, int]) -> RosterRow:
    rid, uid, name, email, entity, entity_name, status, override, *times, online, again = values
    position = positions.get(rid)
    return RosterRow(
        rid,
        uid,
        name,
        email,
        entity,
        entity_name,
        status.value,
        position,
        bool(override),
        *times,
        online=bool(online),
        reconfirmed_at=again,
    )


def roster_page(session_id: int, chosen: RosterFilter) -> RosterPage:
    """One page of the session's roster under ``chosen``; a page past the end shows the last."""
    total = (
        db.session.scalar(
            select(func.count()).select_from(
                _filtered(session_id, chosen, (Registration.id,)).subquery()
            )
        )
        or 0
    )
    pages = max((total + chosen.per_page - 1) // chosen.per_page, 1)
    if chosen.page > pages:
        chosen = replace(chosen, page=pages)
    stmt = (
        _rows_statement(session_id, chosen)
        .limit(chosen.per_page)
        .offset((chosen.page - 1) * chosen.per_page)
    )
    found = db.session.execute(stmt).all()
    waiting = [v[0] for v in found if v[6] == RegistrationStatus.WAITLISTED]
    positions = _positions_of(session_id, waiting)
    rows = [_row(values, positions) for values in found]
    return RosterPage(
        rows=rows,
        total=total,
        filter=chosen,
        counts=status_counts(session_id),
        entities=entities_of_session(session_id),
    )


def roster_rows(session_id: int, chosen: RosterFilter) -> Iterator[RosterRow]:
    """Every row matching ``chosen`` (all pages), in its order: what an export holds."""
    positions = _positions_of(session_id, None)
    for values in db.session.execute(_rows_statement(session_id, chosen)):
        yield _row(values, positions)


def filtered_registration_ids(session_id: int, chosen: RosterFilter) -> list[int]:
    """The ids of every registration matching ``chosen``: a bulk action "on all of them"."""
    return list(db.session.scalars(_filtered(session_id, chosen, (Registration.id,))))


def status_counts(session_id: int) -> dict[str, int]:
    """{status: n} over the whole session, cancellations included."""
    counts = {s.value: 0 for s in RegistrationStatus}
    for status, n in db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.session_id == session_id)
        .group_by(Registration.status)
    ):
        counts[status.value] = n
    return counts


def entities_of_session(session_id: int) -> list[tuple[int, str]]:
    """The entities of the people registered (ever), for the entity filter."""
    return [
        (oid, short)
        for oid, short in db.session.execute(
            select(Organisation.id, Organisation.short_name)
            .join(User, User.organisation_id == Organisation.id)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.session_id == session_id)
            .distinct()
            .order_by(Organisation.short_name)
        )
    ]


def registration_with_person(registration_id: int) -> Registration | None:
    """One registration with its person and session (the confirmation page, the flashes)."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(selectinload(Registration.user), selectinload(Registration.session))
    )


def registrations_by_id(session_id: int, registration_ids) -> list[Registration]:
    """The session's registrations among these ids, with their people, in roster order."""
    ids = sorted(set(registration_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.session_id == session_id, Registration.id.in_(ids))
            .options(selectinload(Registration.user))
            .order_by(func.lower(User.name), Registration.id)
        )
    )


def names_of(user_ids: list[int]) -> list[str]:
    """The names of these people, in the order given."""
    if not user_ids:
        return []
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    return [names[i] for i in user_ids if i in names]


def seat_taker_if_removed(session_id: int) -> User | None:
    """Who would get the seat if one confirmed person left: the head of the waitlist, unless
    the session is past capacity (overrides) or cancelled, or nobody waits."""
    seats = availability_for(None, [session_id])[session_id]
    if (
        seats.cancelled
        or seats_to_promote(seats.capacity, seats.confirmed - 1, seats.waitlisted) < 1
    ):
        return None
    head = waitlist_for(session_id)[:1]
    return head[0].user if head else None


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk action would do, for its confirmation page."""

    applicable: list[Registration]  # the chosen people it applies to
    skipped: int  # chosen, but not in a state the action applies to
    seats_to_waitlist: int  # seats that would go to people already waiting
    refused: bool = False  # the use case would refuse (see ``service.move_to_waitlist``)


_APPLIES_TO = {
    "confirm": (RegistrationStatus.WAITLISTED,),
    "waitlist": (RegistrationStatus.CONFIRMED,),
    "remove": (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
}


def bulk_preview(session_id: int, action: str, registration_ids) -> BulkPreview:
    """Who a bulk action applies to among the chosen, and where the freed seats would go."""
    chosen = registrations_by_id(session_id, registration_ids)
    applicable = [r for r in chosen if r.status in _APPLIES_TO[action]]
    seats = availability_for(None, [session_id])[session_id]
    leaving = sum(1 for r in applicable if r.status == RegistrationStatus.CONFIRMED)
    if action == "remove":
        waiting = seats.waitlisted - (len(applicable) - leaving)
        freed = (
            0
            if seats.cancelled
            else seats_to_promote(seats.capacity, seats.confirmed - leaving, waiting)
        )
        return BulkPreview(applicable, len(chosen) - len(applicable), freed)
    if action == "waitlist":
        freed = seats_to_promote(
            seats.capacity, seats.confirmed - leaving, seats.waitlisted + leaving
        )
        return BulkPreview(
            applicable,
            len(chosen) - len(applicable),
            min(freed, seats.waitlisted),
            refused=freed > seats.waitlisted,
        )
    return BulkPreview(applicable, len(chosen) - len(applicable), 0)

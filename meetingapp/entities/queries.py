"""Named reads for the entities pages: the list with what uses each entity, and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from meetingapp.domain.visibility import can_see_event
from meetingapp.extensions import db
from meetingapp.models import (
    AuditEntry,
    Event,
    EventSession,
    FocalPoint,
    Organisation,
    Registration,
    RegistrationStatus,
    TopicTable,
    User,
)
from meetingapp.registration.queries import positions_for

ENTITY_ACTIONS = (
    "entity added",
    "entity renamed",
    "entity confirmed",
    "entity proposed",
    "entities merged",
    "focal point named",
    "focal point removed",
)


@dataclass(frozen=True)
class EntityUse:
    entity: Organisation
    people: int = 0
    events: int = 0  # events and sessions it leads
    tables: int = 0  # topic tables it hosts


def _counts(column) -> dict[int, int]:
    rows = db.session.execute(
        select(column, func.count()).where(column.is_not(None)).group_by(column)
    )
    return {ident: count for ident, count in rows}


def entity_list() -> list[EntityUse]:
    """Every entity, unconfirmed ones first, then by abbreviation; five statements in all."""
    people = _counts(User.organisation_id)
    events = _counts(Event.organisation_id)
    sessions = _counts(EventSession.lead_organisation_id)
    tables = _counts(TopicTable.host_organisation_id)
    entities = db.session.scalars(
        select(Organisation).order_by(Organisation.confirmed, func.lower(Organisation.short_name))
    )
    return [
        EntityUse(
            e,
            people.get(e.id, 0),
            events.get(e.id, 0) + sessions.get(e.id, 0),
            tables.get(e.id, 0),
        )
        for e in entities
    ]


def entity_use(organisation_id: int) -> EntityUse | None:
    entity = db.session.get(Organisation, organisation_id)
    if entity is None:
        return None

    def count(column) -> int:
        return db.session.scalar(select(func.count()).where(column == organisation_id)) or 0

    return EntityUse(
        entity,
        count(User.organisation_id),
        count(Event.organisation_id) + count(EventSession.lead_organisation_id),
        count(TopicTable.host_organisation_id),
    )


def people_of(organisation_id: int, limit: int = 50) -> list[User]:
    """Some of the entity's people, by name (to tell an entity proposed at sign-up apart)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id)
            .order_by(func.lower(User.name), User.id)
            .limit(limit)
        )
    )


def entity_history(limit: int = 20, short_name: str | None = None) -> list[AuditEntry]:
    """The latest changes to the list (to one entity, by its abbreviation, when given)."""
    stmt = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(AuditEntry.event_id.is_(None), AuditEntry.action.in_(ENTITY_ACTIONS))
    )
    if short_name is not None:
        stmt = stmt.where(AuditEntry.target == short_name)
    return list(
        db.session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    )


# --- focal points --------------------------------------------------------------------------------


def focal_points_of(organisation_id: int) -> list[User]:
    """The entity's focal points, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(FocalPoint, FocalPoint.user_id == User.id)
            .where(FocalPoint.organisation_id == organisation_id)
            .order_by(func.lower(User.name), User.id)
        )
    )


def represented_entities(user_id: int) -> list[Organisation]:
    """The entities this person is a focal point of, by abbreviation."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(FocalPoint, FocalPoint.organisation_id == Organisation.id)
            .where(FocalPoint.user_id == user_id)
            .order_by(Organisation.short_name)
        )
    )


def colleagues(organisation_id: int) -> list[User]:
    """Everyone of the entity a focal point may register (accounts not anonymised), by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.anonymised_at.is_(None))
            .order_by(func.lower(User.name), User.id)
        )
    )


@dataclass(frozen=True)
class ColleagueRegistration:
    person: User
    registration: Registration
    session: EventSession
    position: int | None  # on the waitlist


def colleague_registrations(organisation_id: int, now: datetime) -> list[ColleagueRegistration]:
    """The active registrations of the entity's people for sessions not yet over, in time
    order then by name (three statements)."""
    regs = list(
        db.session.scalars(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(
                User.organisation_id == organisation_id,
                Registration.status != RegistrationStatus.CANCELLED,
                EventSession.ends_at >= now,
            )
            .options(
                joinedload(Registration.user),
                selectinload(Registration.session).options(
                    selectinload(EventSession.event), selectinload(EventSession.parent)
                ),
            )
            .order_by(EventSession.starts_at, func.lower(User.name), Registration.id)
        )
    )
    positions = positions_for([r for r in regs if r.status == RegistrationStatus.WAITLISTED])
    return [ColleagueRegistration(r.user, r, r.session, positions.get(r.id)) for r in regs]


def sessions_open_to(viewer: User, now: datetime) -> list[EventSession]:
    """Sessions the viewer could register someone for now: visible to them, taking
    registrations, not cancelled and not started, in time order (the use case checks the
    registration window and the seats)."""
    sessions = db.session.scalars(
        select(EventSession)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            EventSession.starts_at > now,
            EventSession.cancelled_at.is_(None),
            Event.cancelled_at.is_(None),
        )
        .options(selectinload(EventSession.event), selectinload(EventSession.parent))
        .order_by(EventSession.starts_at, EventSession.id)
    )
    return [
        s
        for s in sessions
        if s.registrable
        and not s.is_cancelled
        and can_see_event(s.event.published, s.event.is_cancelled, viewer)
    ]

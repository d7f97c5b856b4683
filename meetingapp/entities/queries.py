"""Named reads for the entities pages: the list with what uses each entity, and its history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Event, EventSession, Organisation, TopicTable, User

ENTITY_ACTIONS = (
    "entity added",
    "entity renamed",
    "entity confirmed",
    "entity proposed",
    "entities merged",
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

"""Entities: add, rename, confirm and merge (organisers); propose one at sign-up (anyone); name
and remove an entity's focal points (organisers).

Each use case is one unit of work, takes the acting user and the time, and is audited (an
audit entry without an event: the entities page shows them). Reports count entities by their
abbreviation, so a rename shows everywhere at once and a merge counts the merged people once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.official_report import ENGLISH, LANGUAGES
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Organisation, TopicTable, User
from meetingapp.models.audit import record_audit
from meetingapp.models.organisation import FocalPoint, organisation_named
from meetingapp.models.user import user_by_email
from meetingapp.uow import unit_of_work

SHORT_NAME_LENGTH = 40
FULL_NAME_LENGTH = 200
# The official languages besides English (``full_name`` is the English official name).
NAME_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != ENGLISH)
REPORT_GROUPS = 10  # groups 0-9


@dataclass(frozen=True)
class EntityNames:
    short_name: str
    full_name: str


def checked_names(short_name: str, full_name: str, *, field_prefix: str = "") -> EntityNames:
    """Both names trimmed and within their lengths (ValidationFailed naming the field)."""
    short, full = " ".join(short_name.split()), " ".join(full_name.split())
    if not short:
        raise ValidationFailed(
            _("Give the entity's abbreviation."), field=f"{field_prefix}short_name"
        )
    if len(short) > SHORT_NAME_LENGTH:
        raise ValidationFailed(
            _("Keep the abbreviation to %(count)s characters.", count=SHORT_NAME_LENGTH),
            field=f"{field_prefix}short_name",
        )
    if not full:
        raise ValidationFailed(_("Give the entity's full name."), field=f"{field_prefix}full_name")
    if len(full) > FULL_NAME_LENGTH:
        raise ValidationFailed(
            _("Keep the full name to %(count)s characters.", count=FULL_NAME_LENGTH),
            field=f"{field_prefix}full_name",
        )
    return EntityNames(short, full)


def checked_official_names(names: dict[str, str]) -> dict[str, str]:
    """The other five languages' official names, trimmed, empty ones left out."""
    unknown = set(names) - set(NAME_LANGUAGES)
    if unknown:
        raise ValidationFailed(
            _("Official names are given in ar, zh_Hans, fr, ru and es."), field="names"
        )
    kept = {}
    for lang in NAME_LANGUAGES:
        name = " ".join((names.get(lang) or "").split())
        if len(name) > FULL_NAME_LENGTH:
            raise ValidationFailed(
                _("Keep the full name to %(count)s characters.", count=FULL_NAME_LENGTH),
                field=f"name_{lang}",
            )
        if name:
            kept[lang] = name
    return kept


def _require_organiser(actor: User | None) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers can do this."))


def _entity(organisation_id: int) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(_("There is no such entity."))
    return org


def _check_free(short_name: str, keep: Organisation | None = None) -> None:
    taken = organisation_named(short_name)
    if taken is not None and taken is not keep:
        raise ValidationFailed(
            _("%(name)s is already in the list.", name=taken.short_name), field="short_name"
        )


def _audit(actor: User | None, action: str, target: str, detail: str, now: datetime) -> None:
    record_audit(event_id=None, actor=actor, action=action, target=target, detail=detail, now=now)


def add_entity(*, short_name: str, full_name: str, actor: User, now: datetime) -> Organisation:
    """A new confirmed entity; refused when the abbreviation (in any case) is taken."""
    _require_organiser(actor)
    names = checked_names(short_name, full_name)
    with unit_of_work():
        _check_free(names.short_name)
        org = Organisation(short_name=names.short_name, full_name=names.full_name, confirmed=True)
        db.session.add(org)
        db.session.flush()
        _audit(actor, "entity added", org.short_name, org.full_name, now)
    return org


def rename_entity(
    *,
    organisation_id: int,
    short_name: str,
    full_name: str,
    actor: User,
    now: datetime,
    official_names: dict[str, str] | None = None,
    report_group: int | None = None,
) -> Organisation:
    """New abbreviation and English official name and, when given, the official names in the
    other languages and the group in report lists; reports show them from now on."""
    _require_organiser(actor)
    names = checked_names(short_name, full_name)
    others = checked_official_names(official_names) if official_names is not None else None
    if report_group is not None and not 0 <= report_group < REPORT_GROUPS:
        raise ValidationFailed(
            _("Give a group from 0 to %(last)s.", last=REPORT_GROUPS - 1), field="report_group"
        )
    with unit_of_work():
        org = _entity(organisation_id)
        _check_free(names.short_name, keep=org)
        before = org.label
        org.short_name, org.full_name = names.short_name, names.full_name
        if org.label != before:
            _audit(actor, "entity renamed", org.short_name, f"{before} → {org.label}", now)
        changed = []
        if others is not None and others != (org.names or {}):
            org.names = others  # replaced whole, so the ORM sees the change
            changed += [f"{lang}: {name}" for lang, name in others.items()]
        if report_group is not None and report_group != org.report_group:
            org.report_group = report_group
            changed.append(f"group {report_group}")
        if changed:
            _audit(actor, "entity renamed", org.short_name, "; ".join(changed), now)
    return org


def confirm_entity(*, organisation_id: int, actor: User, now: datetime) -> Organisation:
    """An entity proposed at sign-up joins the list everyone picks from."""
    _require_organiser(actor)
    with unit_of_work():
        org = _entity(organisation_id)
        if not org.confirmed:
            org.confirmed = True
            _audit(actor, "entity confirmed", org.short_name, org.full_name, now)
    return org


@dataclass(frozen=True)
class MergeOutcome:
    kept: Organisation
    merged_name: str
    people: int


def merge_entities(*, merged_id: int, kept_id: int, actor: User, now: datetime) -> MergeOutcome:
    """Move everything of ``merged_id`` to ``kept_id`` and delete it.

    People, the events' and sessions' lead entities and the tables' host entities move to the
    kept entity, so reports count them under its abbreviation. The kept entity is confirmed.
    """
    _require_organiser(actor)
    if merged_id == kept_id:
        raise ValidationFailed(_("Choose another entity to merge into."), field="into")
    with unit_of_work():
        merged, kept = _entity(merged_id), _entity(kept_id)
        moved = {}
        for model, column in (
            (User, User.organisation_id),
            (Event, Event.organisation_id),
            (EventSession, EventSession.lead_organisation_id),
            (TopicTable, TopicTable.host_organisation_id),
        ):
            result = db.session.execute(
                update(model).where(column == merged.id).values({column.key: kept.id})
            )
            moved[model.__tablename__] = result.rowcount
        _move_focal_points(merged.id, kept.id)
        name, label = merged.short_name, merged.label
        kept.confirmed = True
        db.session.delete(merged)
        _audit(
            actor,
            "entities merged",
            kept.short_name,
            f"{label} → {kept.label}: "
            + ", ".join(f"{count} {table}" for table, count in moved.items()),
            now,
        )
    return MergeOutcome(kept, name, moved["users"])


def _move_focal_points(merged_id: int, kept_id: int) -> None:
    """The merged entity's focal points become the kept one's (once each)."""
    already = set(
        db.session.scalars(select(FocalPoint.user_id).where(FocalPoint.organisation_id == kept_id))
    )
    for focal in db.session.scalars(
        select(FocalPoint).where(FocalPoint.organisation_id == merged_id)
    ).all():
        if focal.user_id in already:
            db.session.delete(focal)
        else:
            focal.organisation_id = kept_id
    db.session.flush()


def name_focal_point(*, organisation_id: int, email: str, actor: User, now: datetime) -> User:
    """Make the person with this address a focal point of the entity: they may then register
    its people and see their registrations. Refused for an address without an account, for
    someone of another entity (change their entity first) and for a focal point already."""
    _require_organiser(actor)
    with unit_of_work():
        org = _entity(organisation_id)
        person = user_by_email(email or "")
        if person is None or person.anonymised_at is not None:
            raise ValidationFailed(_("No account has this e-mail address."), field="email")
        if person.organisation_id != org.id:
            raise ValidationFailed(
                _(
                    "%(name)s does not belong to %(entity)s: a focal point acts for their own "
                    "entity (change their entity on the registration list or their account "
                    "first).",
                    name=person.name,
                    entity=org.short_name,
                ),
                field="email",
            )
        known = db.session.get(FocalPoint, (org.id, person.id))
        if known is not None:
            raise ValidationFailed(
                _(
                    "%(name)s is already a focal point of %(entity)s.",
                    name=person.name,
                    entity=org.short_name,
                ),
                field="email",
            )
        db.session.add(
            FocalPoint(
                organisation_id=org.id, user_id=person.id, created_at=now, created_by_id=actor.id
            )
        )
        _audit(actor, "focal point named", org.short_name, person.email, now)
    return person


def remove_focal_point(*, organisation_id: int, user_id: int, actor: User, now: datetime) -> User:
    """The person stops being a focal point of the entity (their own registrations stay)."""
    _require_organiser(actor)
    with unit_of_work():
        org = _entity(organisation_id)
        person = db.session.get(User, user_id)
        removed = db.session.execute(
            delete(FocalPoint).where(
                FocalPoint.organisation_id == org.id, FocalPoint.user_id == user_id
            )
        ).rowcount
        if person is None or not removed:
            raise NotFound(
                _("This person is not a focal point of %(entity)s.", entity=org.short_name)
            )
        _audit(actor, "focal point removed", org.short_name, person.email, now)
    return person


def propose_entity(
    short_name: str, full_name: str, *, proposed_by: str, now: datetime
) -> Organisation:
    """The entity someone signing up (``proposed_by``, an address) names: the listed one with
    that abbreviation, if any, else a new unconfirmed entity that an organiser will confirm or
    merge. Joins the caller's unit of work."""
    names = checked_names(short_name, full_name, field_prefix="new_entity_")
    with unit_of_work():
        existing = organisation_named(names.short_name)
        if existing is not None:
            return existing
        org = Organisation(short_name=names.short_name, full_name=names.full_name, confirmed=False)
        db.session.add(org)
        db.session.flush()
        _audit(None, "entity proposed", org.short_name, f"{org.full_name} ({proposed_by})", now)
    return org

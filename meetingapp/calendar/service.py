"""Calendar entries for events, sessions, personal itineraries and subscription feeds."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.calendar.ics import CalendarEntry, build_calendar
from meetingapp.domain.visibility import Viewer, can_see_online_link
from meetingapp.extensions import db
from meetingapp.i18n import content
from meetingapp.models import (
    Event,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.event import visible_event, visible_session
from meetingapp.models.rotation import RotationAssignment, RotationPlan
from meetingapp.rotation.queries import host_duties_for
from meetingapp.uow import unit_of_work

UrlFor = Callable[[EventSession], str]
UID_DOMAIN = "meetingapp"


@dataclass(frozen=True)
class IcsFile:
    body: bytes
    filename: str


def session_uid(session: EventSession) -> str:
    return f"session-{session.id}@{UID_DOMAIN}"


def round_uid(session: EventSession, number: int) -> str:
    return f"session-{session.id}-round-{number + 1}@{UID_DOMAIN}"


def hosting_uid(table: TopicTable, number: int) -> str:
    return f"table-{table.id}-round-{number + 1}-host@{UID_DOMAIN}"


def _location(session: EventSession) -> str:
    event = session.event
    parts = [p for p in (session.room, event.venue, event.city) if p]
    return ", ".join(parts)


def _description(session: EventSession) -> str:
    lines = [content(session.event)]
    if session.description:
        lines.append(content(session, "description"))
    if session.agenda_items:
        lines.append(gettext("Agenda:"))
        lines += [f"{i.position}. {i.title}" for i in session.agenda_items]
    if session.parts:
        lines.append(gettext("Sessions:"))
        lines += [content(p) for p in session.parts]
    return "\n".join(lines)


def session_entry(
    session: EventSession,
    url_for_session: UrlFor,
    *,
    cancelled: bool = False,
    with_online_link: bool = False,
) -> CalendarEntry:
    """One session's VEVENT. ``with_online_link`` (personal calendars, feeds and invitations of
    someone who may see it: domain.visibility.can_see_online_link) puts a hybrid session's link
    in URL and CONFERENCE (RFC 7986) and its dial-in text in the description; public files
    never carry them."""
    kind = gettext(session.kind.label)
    online = with_online_link and bool(session.online_url) and not cancelled
    description = _description(session)
    if online and session.online_info:
        description += "\n" + gettext("Online: %(info)s", info=session.online_info)
    return CalendarEntry(
        uid=session_uid(session),
        summary=content(session),
        start=session.starts_at,
        end=session.ends_at,
        tzid=session.event.timezone,
        location=_location(session),
        description=description,
        url=session.online_url if online else url_for_session(session),
        conference=session.online_url if online else "",
        conference_label=gettext("Join online") if online else "",
        sequence=session.sequence or 0,
        last_modified=session.updated_at,
        status="CANCELLED" if cancelled or session.is_cancelled else "CONFIRMED",
        categories=(kind,),
    )


def _slug(text: str) -> str:
    """A file name from a title in any script ("数据与空间" stays Chinese; the download header
    adds an ASCII fallback)."""
    keep = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(filter(None, keep.split("-")))[:60] or "calendar"


def event_calendar(
    event_id: int, url_for_session: UrlFor, now: datetime, *, viewer: Viewer | None
) -> IcsFile:
    event = visible_event(event_id, viewer)
    entries = [session_entry(s, url_for_session) for s in event.sessions]
    body = build_calendar(entries, name=content(event), now=now)
    return IcsFile(body, f"{_slug(content(event))}.ics")


def session_calendar(
    session_id: int, url_for_session: UrlFor, now: datetime, *, viewer: Viewer | None
) -> IcsFile:
    session = visible_session(session_id, viewer)
    entries = [session_entry(session, url_for_session)]
    entries += [session_entry(p, url_for_session) for p in session.parts]
    body = build_calendar(entries, name=f"{content(session)} · {content(session.event)}", now=now)
    return IcsFile(body, f"{_slug(content(session))}.ics")


def round_entries(
    session: EventSession, plan: RotationPlan, user_id: int, url_for_session: UrlFor
) -> list[CalendarEntry]:
    rounds = {r.number: r for r in session.rounds}
    entries = []
    for a in plan.assignments:
        if a.user_id != user_id or a.round_number not in rounds:
            continue
        r, table = rounds[a.round_number], a.table
        summary = gettext(
            "Round %(round)s: table %(code)s — %(topic)s",
            round=a.round_number + 1,
            code=table.code,
            topic=content(table),
        )
        entries.append(
            _table_round_entry(
                session,
                table,
                uid=round_uid(session, a.round_number),
                summary=summary,
                span=(r.starts_at, r.ends_at),
                url=url_for_session(session),
                sequence=(session.sequence or 0) + plan.version,
                last_modified=plan.published_at or plan.created_at,
                host_line=True,
            )
        )
    return entries


def hosting_entries(
    user: User, url_for_session: UrlFor, *, include_cancelled: bool
) -> list[CalendarEntry]:
    """A host's table in each round of the sessions where they host one."""
    entries = []
    for duty in host_duties_for(user.id):
        session, table = duty.session, duty.table
        if session.is_cancelled and not include_cancelled:
            continue
        summary = gettext(
            "Round %(round)s: you host table %(code)s — %(topic)s",
            round=duty.round_number + 1,
            code=table.code,
            topic=content(table),
        )
        entries.append(
            _table_round_entry(
                session,
                table,
                uid=hosting_uid(table, duty.round_number),
                summary=summary,
                span=(duty.starts_at, duty.ends_at),
                url=url_for_session(session),
                sequence=session.sequence or 0,
            )
        )
    return entries


def _table_round_entry(
    session: EventSession,
    table: TopicTable,
    *,
    uid: str,
    summary: str,
    span: tuple[datetime, datetime],
    url: str,
    sequence: int,
    last_modified: datetime | None = None,
    host_line: bool = False,
) -> CalendarEntry:
    """One round at a topic table (a participant's seat or a host's duty): the table, its host
    and the session's place; the participant's description also names the host."""
    host = table.host_display
    lines = [
        content(session),
        gettext("Table %(code)s: %(topic)s", code=table.code, topic=content(table)),
    ]
    if host_line:
        lines.append(gettext("Host: %(host)s", host=host))
    return CalendarEntry(
        uid=uid,
        summary=summary,
        start=span[0],
        end=span[1],
        tzid=session.event.timezone,
        location=gettext(
            "Table %(code)s (host %(host)s), %(place)s",
            code=table.code,
            host=host,
            place=_location(session),
        ),
        description="\n".join(lines),
        url=url,
        sequence=sequence,
        last_modified=last_modified,
        status="CANCELLED" if session.is_cancelled else "CONFIRMED",
        categories=(gettext("Speed networking"),),
    )


def personal_entries(
    user: User, url_for_session: UrlFor, *, include_cancelled: bool
) -> list[CalendarEntry]:
    """The user's confirmed sessions (training days with their parts); rotation rounds replace
    a speed-networking session once published. Feeds also carry cancellations."""
    regs = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user.id)
            .options(
                selectinload(Registration.session).options(
                    selectinload(EventSession.event),
                    selectinload(EventSession.parts),
                    selectinload(EventSession.rounds),
                    selectinload(EventSession.agenda_items),
                )
            )
            .order_by(Registration.id)
        )
    )
    latest: dict[int, Registration] = {}
    for reg in regs:  # the newest registration per session decides
        latest[reg.session_id] = reg
    plans = _published_plans_for(user.id, [sid for sid in latest])
    entries: list[CalendarEntry] = []
    for reg in latest.values():
        session = reg.session
        if reg.status == RegistrationStatus.WAITLISTED:
            continue
        cancelled = reg.status == RegistrationStatus.CANCELLED
        if cancelled and not include_cancelled:
            continue
        plan = plans.get(session.id)
        if session.kind == SessionKind.SPEED_NETWORKING and plan is not None and not cancelled:
            # A cancelled session's rounds travel as cancelled too (round_entries says so).
            entries += round_entries(session, plan, user.id, url_for_session)
            continue
        link = can_see_online_link(user, reg.status.value)  # cancelled: never
        entries.append(
            session_entry(session, url_for_session, cancelled=cancelled, with_online_link=link)
        )
        entries += [session_entry(p, url_for_session, cancelled=cancelled) for p in session.parts]
    return entries + hosting_entries(user, url_for_session, include_cancelled=include_cancelled)


def _published_plans_for(user_id: int, session_ids: list[int]) -> dict[int, RotationPlan]:
    if not session_ids:
        return {}
    plans = db.session.scalars(
        select(RotationPlan)
        .where(RotationPlan.session_id.in_(session_ids), RotationPlan.status == "published")
        .options(selectinload(RotationPlan.assignments).selectinload(RotationAssignment.table))
        .order_by(RotationPlan.version)
    )
    return {p.session_id: p for p in plans}


def itinerary_calendar(user: User, url_for_session: UrlFor, now: datetime) -> IcsFile:
    entries = personal_entries(user, url_for_session, include_cancelled=False)
    name = gettext("My programme · %(name)s", name=user.name)
    return IcsFile(build_calendar(entries, name=name, now=now), "my-programme.ics")


def organiser_entries(user: User, url_for_session: UrlFor) -> list[CalendarEntry]:
    events = db.session.scalars(
        select(Event)
        .where(Event.created_by_id == user.id)
        .options(
            selectinload(Event.sessions).options(
                selectinload(EventSession.agenda_items), selectinload(EventSession.parts)
            )
        )
    )
    # An organiser may see every online link (can_see_online_link).
    return [
        session_entry(s, url_for_session, with_online_link=can_see_online_link(user, None))
        for e in events
        for s in e.sessions
    ]


def feed_calendar(user: User, url_for_session: UrlFor, now: datetime) -> IcsFile:
    entries = personal_entries(user, url_for_session, include_cancelled=True)
    if user.is_organiser:
        seen = {e.uid for e in entries}
        entries += [e for e in organiser_entries(user, url_for_session) if e.uid not in seen]
    name = f"meetingapp · {user.name}"
    return IcsFile(build_calendar(entries, name=name, now=now), "meetingapp-feed.ics")


# --- secret feed tokens ----------------------------------------------------------------------


def feed_token(user: User, secret_key: str) -> str:
    """``<user id>-<HMAC>``: unguessable, verifiable without storing it, reset by a version bump."""
    mac = hmac.new(
        secret_key.encode(), f"feed:{user.id}:{user.feed_version}".encode(), hashlib.sha256
    ).hexdigest()[:40]
    return f"{user.id}-{mac}"


def user_for_feed_token(token: str, secret_key: str) -> User | None:
    user_id, _, _mac = token.partition("-")
    if not re.fullmatch(r"[0-9]{1,9}", user_id):
        return None
    user = db.session.get(User, int(user_id))
    if user is None:
        return None
    return (
        user if hmac.compare_digest(feed_token(user, secret_key).encode(), token.encode()) else None
    )


def reset_feed_token(user: User) -> None:
    """A new secret address; the old one stops working at once."""
    with unit_of_work():
        user.feed_version = (user.feed_version or 0) + 1


def feed_urls(user: User) -> tuple[str, str]:
    """(https URL, webcal URL) of the user's secret feed."""
    from flask import current_app, url_for

    token = feed_token(user, current_app.config["SECRET_KEY"])
    https = url_for("calendar.feed", token=token, _external=True)
    return https, "webcal://" + https.split("://", 1)[1]

"""Events and their programme: sessions, training-day parts, agenda items, topic tables, rounds."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from meetingapp.domain.capacity import takes_registrations
from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import N_, _
from meetingapp.domain.retention import DEFAULT_RETENTION_MONTHS
from meetingapp.domain.visibility import Viewer, can_manage, can_see_event, is_cancelled
from meetingapp.extensions import db
from meetingapp.models.organisation import Organisation
from meetingapp.models.translatable import Translatable, translations_column
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class SessionKind(enum.StrEnum):
    MEETING = "meeting"
    TRAINING = "training"
    SPEED_NETWORKING = "speed_networking"
    BREAK = "break"
    PART = "part"  # a timed session inside a training day

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


# English; marked for extraction and translated where shown (templates, forms, calendars).
KIND_LABELS = {
    SessionKind.MEETING: N_("Meeting"),
    SessionKind.TRAINING: N_("Training day"),
    SessionKind.SPEED_NETWORKING: N_("Speed networking"),
    SessionKind.BREAK: N_("Break"),
    SessionKind.PART: N_("Training session"),
}


def _enum(cls, name):
    return Enum(
        cls, name=name, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20
    )


class Event(Translatable, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("retention_months BETWEEN 1 AND 240", name="retention_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = translations_column()  # domain/content.py
    city: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    co_organisers: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped (never set by hand) whenever anything shown of the event changes: itself, a session,
    # a table, an agenda item, a round, a registration (seat counts). Pages and calendar files
    # that are the same for every viewer are cached and revalidated (ETag) by it:
    # models/versioning.py.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    changed_at: Mapped[datetime | None]
    # Personal data of the event's participants is kept this many months after it ends; then
    # `flask data purge` anonymises it (privacy/service.py) and sets personal_data_purged_at.
    retention_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_RETENTION_MONTHS, server_default=str(DEFAULT_RETENTION_MONTHS)
    )
    personal_data_purged_at: Mapped[datetime | None]
    # Registering for a session that overlaps one the person is confirmed for: "warn" lets it
    # through with a warning, "refuse" refuses it (domain/overlap.py).
    overlap_policy: Mapped[str] = mapped_column(String(10), default="warn", server_default="warn")

    organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        order_by="(EventSession.starts_at, EventSession.position)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Event {self.title!r}>"

    @property
    def is_cancelled(self) -> bool:
        return is_cancelled(self.cancelled_at)


class EventSession(Translatable, db.Model):
    """A session of an event. A training day (kind=training) holds its parts as children."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind, "session_kind"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = translations_column()
    room: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    chair: Mapped[str] = mapped_column(String(200), default="")
    cancelled_at: Mapped[datetime | None]
    # iCalendar SEQUENCE: grows whenever the time or the place changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Speed networking only.
    round_count: Mapped[int | None]
    round_minutes: Mapped[int | None]
    move_minutes: Mapped[int | None]
    min_tables: Mapped[int | None]
    max_picks: Mapped[int | None]
    picks_deadline: Mapped[datetime | None]
    # Anyone may come, nobody registers (an opening plenary): no seats, no check-in, no report.
    open_seating: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When a seat opens: "automatic" confirms the head of the waitlist at once; "offer" gives
    # them ``offer_hours`` to accept (domain.capacity). ``waitlist_cap``: None, no limit.
    waitlist_mode: Mapped[str] = mapped_column(
        String(20), default="automatic", server_default="automatic"
    )
    offer_hours: Mapped[int | None]
    waitlist_cap: Mapped[int | None]
    # Hybrid sessions: the link and dial-in text, shown only to the confirmed and organisers
    # (domain.visibility.can_see_online_link); online seats apart from the room's capacity
    # (domain.capacity, None: no limit online).
    online_url: Mapped[str | None] = mapped_column(String(500))
    online_info: Mapped[str] = mapped_column(Text, default="", server_default="")
    online_capacity: Mapped[int | None]
    # Reconfirmation (domain.reconfirmation): when the organisers asked the confirmed to say they
    # are still coming, by when, whether silence by then frees the seat, and when it was freed.
    reconfirm_asked_at: Mapped[datetime | None]
    reconfirm_deadline: Mapped[datetime | None]
    reconfirm_releases: Mapped[bool] = mapped_column(default=False, server_default=false())
    reconfirm_released_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    parent: Mapped[EventSession | None] = relationship(remote_side=[id], back_populates="parts")
    parts: Mapped[list[EventSession]] = relationship(
        back_populates="parent",
        order_by="(EventSession.starts_at, EventSession.position)",
        cascade="all, delete-orphan",
    )
    lead_organisation: Mapped[Organisation | None] = relationship()
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    tables: Mapped[list[TopicTable]] = relationship(
        order_by="TopicTable.code", cascade="all, delete-orphan", back_populates="session"
    )
    rounds: Mapped[list[NetworkingRound]] = relationship(
        order_by="NetworkingRound.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<EventSession {self.title!r}>"

    @property
    def registrable(self) -> bool:
        """Participants register for it (see ``domain.capacity.takes_registrations``)."""
        return takes_registrations(
            self.kind.value, is_part=self.parent_id is not None, open_seating=self.open_seating
        )

    @property
    def is_cancelled(self) -> bool:
        """Cancelled itself, through its training day, or with its event."""
        return is_cancelled(
            self.event.cancelled_at,
            self.cancelled_at,
            self.parent.cancelled_at if self.parent_id is not None else None,
        )


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    # The organiser's notes on what was said under this item, for the meeting's report draft
    # (paragraphs separated by an empty line). Not public; not copied to a new edition.
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")


class TopicTable(Translatable, db.Model):
    """A topic table of a speed-networking session, led by a host from one entity."""

    ORIGINALS = {"title": "topic", "description": "description"}  # no original description

    __tablename__ = "topic_tables"
    __table_args__ = (
        UniqueConstraint("session_id", "code", name="uq_topic_tables_session_code"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("min_seats >= 0 AND min_seats <= seats", name="min_seats_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(300))
    translations: Mapped[dict] = translations_column()
    host_label: Mapped[str] = mapped_column(String(200), default="")
    host_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    host_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seats: Mapped[int] = mapped_column(Integer, default=8)
    min_seats: Mapped[int] = mapped_column(Integer, default=0)

    session: Mapped[EventSession] = relationship(back_populates="tables")
    host_organisation: Mapped[Organisation | None] = relationship()
    host_user: Mapped[User | None] = relationship()

    @property
    def host_display(self) -> str:
        org = self.host_organisation.short_name if self.host_organisation else ""
        if self.host_label and org:
            return f"{org}, {self.host_label}"
        return org or self.host_label


class NetworkingRound(db.Model):
    """One timed round of a speed-networking session (numbered from 0)."""

    __tablename__ = "networking_rounds"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_networking_rounds_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


# --- the one visibility query ----------------------------------------------------------------
# ``visible_event`` and ``visible_session`` apply ``domain.visibility.can_see_event`` for pages,
# the JSON API, calendar files, registration, picks and check-in alike: an unpublished event
# does not exist for anyone but organisers (404 everywhere, never a different answer elsewhere).


def _programme_options():
    return (
        selectinload(Event.organisation),
        selectinload(Event.sessions).options(
            selectinload(EventSession.lead_organisation),
            selectinload(EventSession.agenda_items),
            selectinload(EventSession.rounds),
            selectinload(EventSession.parts),
            selectinload(EventSession.tables).options(
                selectinload(TopicTable.host_organisation),
                selectinload(TopicTable.host_user),
            ),
        ),
    )


def visible_event(event_id: int, viewer: Viewer | None, *, programme: bool = True) -> Event:
    """The event with its whole programme (a fixed number of queries), if ``viewer`` may see
    it; NotFound otherwise."""
    stmt = select(Event).where(Event.id == event_id)
    if programme:
        stmt = stmt.options(*_programme_options())
    event = db.session.scalar(stmt)
    if event is None or not can_see_event(event.published, event.is_cancelled, viewer):
        raise NotFound(_("There is no such event."))
    return event


def visible_session(session_id: int, viewer: Viewer | None) -> EventSession:
    """The session, if ``viewer`` may see its event; NotFound otherwise."""
    session = db.session.get(EventSession, session_id)
    if session is None or not can_see_event(
        session.event.published, session.event.is_cancelled, viewer
    ):
        raise NotFound(_("There is no such session."))
    return session


def visible_networking_session(session_id: int, viewer: Viewer | None) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if (
        session is None
        or session.kind != SessionKind.SPEED_NETWORKING
        or not can_see_event(session.event.published, session.event.is_cancelled, viewer)
    ):
        raise NotFound(_("There is no such speed-networking session."))
    return session


def listed_events(viewer: Viewer | None) -> list[Event]:
    """The events ``viewer`` may see, latest first."""
    stmt = select(Event).options(selectinload(Event.organisation)).order_by(Event.starts_on.desc())
    if not can_manage(viewer):
        stmt = stmt.where(Event.published.is_(True))
    return list(db.session.scalars(stmt))


def ordered_sessions(event: Event) -> list[EventSession]:
    """Every session in time order, training-day parts after their day."""
    return sorted(
        event.sessions, key=lambda x: (x.starts_at, x.parent_id is not None, x.position, x.id)
    )

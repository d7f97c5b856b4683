"""The draft of the meeting's report (the document the secretariat writes after the events).

Its structure is the seed's (A/AC.105/1341): a title and the places and dates; an introduction
listing the events; then per event its background and attendance (the entities represented at
the meeting), the agenda items as headings with the organiser's notes, each training day with its
sessions and the trainees paragraph, each speed networking with its topics and hosts as a lettered
list. Paragraphs are numbered through the whole document by the word processor (``docx.py``).

The text is written in one of the interface languages, passed as a parameter (``language``): the
same code writes every language, through the catalogues. The attendance sentences are the
reports' own (``queries.SessionReport.paragraph``, ``join_names``, ``entity_order``): one rule.
Content (titles, descriptions, topics, notes) stays as organisers typed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale, gettext, ngettext

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local
from meetingapp.i18n import LANGUAGES, long_date
from meetingapp.models import Event, EventSession, SessionKind, TopicTable, User
from meetingapp.models.event import visible_event
from meetingapp.reports.queries import SessionReport, entity_order, event_report, join_names

# --- the document as plain blocks (what docx.py lays out) ---------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 1 a chapter (I., II.), 2 a section (A., B.), 3 an item (1., 2.)
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph (1., 2., … through the whole document)."""

    text: str


@dataclass(frozen=True)
class Lettered:
    """A lettered sub-paragraph of the paragraph before it: '(a) …;'."""

    letter: str
    text: str


@dataclass(frozen=True)
class Placeholder:
    """A reminder for the editor (not numbered, highlighted): something the records lack."""

    text: str


Block = Heading | Paragraph | Lettered | Placeholder


@dataclass
class Draft:
    language: str
    title: str
    subtitle: str
    note: str
    mark: str  # the page header: 'Draft'
    event_titles: list[str] = field(default_factory=list)  # in date order (the file's name)
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        """Every line of the draft as plain text (for tests and a quick look)."""
        lines = [self.title, self.subtitle, self.note]
        for b in self.blocks:
            lines.append(f"({b.letter}) {b.text}" if isinstance(b, Lettered) else b.text)
        return "\n".join(lines)


# --- building it ---------------------------------------------------------------------------------


def draft_report(event_ids: list[int], *, viewer: User, language: str, now: datetime) -> Draft:
    """The report draft of these events (in date order), written in ``language``."""
    if language not in LANGUAGES:
        raise ValidationFailed(
            _("Choose one of the interface languages for the report."), field="language"
        )
    if not event_ids:
        raise ValidationFailed(_("Choose at least one event for the report."), field="events")
    with force_locale(language):
        events = sorted(
            (visible_event(i, viewer) for i in dict.fromkeys(event_ids)),
            key=lambda e: (e.starts_on, e.id),
        )
        reports = {e.id: {s.session.id: s for s in event_report(e.id).sessions} for e in events}
        draft = Draft(
            language=language,
            title=gettext("Report on %(events)s", events=join_names([e.title for e in events])),
            subtitle=gettext(
                "(%(places)s)",
                places=gettext("; ").join(
                    gettext("%(city)s, %(dates)s", city=e.city, dates=_dates(e)) for e in events
                ),
            ),
            note=gettext(
                "Draft prepared on %(date)s from the records of the events: review and complete "
                "it before issuing.",
                date=long_date(utc_to_local(now, events[0].timezone).date(), weekday=False),
            ),
            mark=gettext("Draft"),
            event_titles=[e.title for e in events],
        )
        draft.blocks += _introduction(events)
        for event in events:
            draft.blocks += _event_chapter(event, reports[event.id])
    return draft


def _sessions(event: Event) -> list[EventSession]:
    """The top-level sessions that happened (not cancelled, not breaks), in time order."""
    return sorted(
        (
            s
            for s in event.sessions
            if s.parent_id is None and s.kind != SessionKind.BREAK and not s.is_cancelled
        ),
        key=lambda s: (s.starts_at, s.position, s.id),
    )


def _day(session: EventSession) -> date:
    return utc_to_local(session.starts_at, session.event.timezone).date()


def _spell_days(days: list[date]) -> str:
    return join_names([long_date(d, weekday=False) for d in sorted(set(days))])


def _dates(event: Event) -> str:
    """The days the event's sessions were held ('28 October 2024 and 31 October 2024')."""
    days = [_day(s) for s in _sessions(event)]
    return _spell_days(days) if days else _spell_days([event.starts_on, event.ends_on])


def _sentences(*sentences: str) -> str:
    """Sentences of one paragraph, joined the language's way (a space, or none in Chinese)."""
    text = ""
    for sentence in (s for s in sentences if s):
        text = gettext("%(sentence)s %(next)s", sentence=text, next=sentence) if text else sentence
    return text


def _blocks_of(text: str) -> list[str]:
    """Organiser-typed text as paragraphs: blocks separated by an empty line (lines kept)."""
    paragraphs, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _lettered(items: list[tuple[str, str]]) -> list[Lettered]:
    """'(a) first;' … '(k) last.' — the seed's lettered lists."""
    return [
        Lettered(
            letter,
            gettext("%(text)s.", text=text)
            if n == len(items) - 1
            else gettext("%(text)s;", text=text),
        )
        for n, (letter, text) in enumerate(items)
    ]


def _letters(count: int) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    return [
        alphabet[n] if n < 26 else alphabet[n // 26 - 1] + alphabet[n % 26] for n in range(count)
    ]


def _introduction(events: list[Event]) -> list[Block]:
    items = [
        gettext(
            "%(title)s, held in %(city)s on %(dates)s", title=e.title, city=e.city, dates=_dates(e)
        )
        for e in events
    ]
    return [
        Heading(1, gettext("Introduction")),
        Paragraph(
            ngettext(
                "This document contains the report on the following event:",
                "This document contains the report on the following events:",
                len(events),
            )
        ),
        *_lettered(list(zip(_letters(len(items)), items, strict=True))),
    ]


def _event_chapter(event: Event, reports: dict[int, SessionReport]) -> list[Block]:
    sessions = _sessions(event)
    meetings = [s for s in sessions if s.kind == SessionKind.MEETING]
    blocks: list[Block] = [
        Heading(1, event.title),
        Heading(2, gettext("Background and attendance")),
    ]
    blocks.append(Paragraph(_sentences(_held(event), _organised_by(event))))
    blocks += [Paragraph(p) for p in _blocks_of(event.description)]
    for s in meetings:
        if s.open_seating:  # an opening plenary: nobody registers, so nobody is counted
            blocks.append(Paragraph(_sentences(_took_place(s), *_blocks_of(s.description))))
    counted = [s for s in meetings if s.id in reports]
    if counted:
        blocks.append(Paragraph(_meeting_attendance(counted, reports)))
        blocks += [Paragraph(p) for s in counted for p in _blocks_of(s.description)]
    blocks += _discussions(meetings)
    for s in sessions:
        if s.kind == SessionKind.TRAINING:
            blocks += _training_day(s, reports.get(s.id))
        elif s.kind == SessionKind.SPEED_NETWORKING:
            blocks += _speed_networking(s, reports.get(s.id))
    return blocks


def _held(event: Event) -> str:
    words = {"title": event.title, "city": event.city, "dates": _dates(event)}
    if event.venue:
        return gettext(
            "%(title)s was held at %(venue)s, %(city)s, on %(dates)s.", venue=event.venue, **words
        )
    return gettext("%(title)s was held in %(city)s on %(dates)s.", **words)


def _organised_by(event: Event) -> str:
    organiser = event.organisation.short_name if event.organisation else ""
    partners = event.co_organisers.strip()
    if organiser and partners:
        return gettext(
            "It was organised by %(organiser)s with the support of %(partners)s.",
            organiser=organiser,
            partners=partners,
        )
    if organiser:
        return gettext("It was organised by %(organiser)s.", organiser=organiser)
    if partners:
        return gettext("It was organised with the support of %(partners)s.", partners=partners)
    return ""


def _chaired(session: EventSession) -> str:
    return gettext("It was chaired by %(chair)s.", chair=session.chair) if session.chair else ""


def _took_place(session: EventSession) -> str:
    return _sentences(
        gettext(
            "“%(title)s” took place on %(date)s.",
            title=session.title,
            date=long_date(_day(session), weekday=False),
        ),
        _chaired(session),
    )


def _meeting_attendance(meetings: list[EventSession], reports: dict[int, SessionReport]) -> str:
    """The seed's paragraph 5: when the meeting was held, who chaired, the entities represented
    (everyone checked in to any of its sessions, listed as the reports list them)."""
    chairs = list(dict.fromkeys(s.chair for s in meetings if s.chair))
    dates = _spell_days([_day(s) for s in meetings])
    held = (
        gettext(
            "The meeting was held on %(dates)s and chaired by %(chair)s.",
            dates=dates,
            chair=join_names(chairs),
        )
        if chairs
        else gettext("The meeting was held on %(dates)s.", dates=dates)
    )
    entities = sorted(
        {p.entity for s in meetings for p in reports[s.id].people if p.present and p.entity},
        key=entity_order,
    )
    if not entities:
        return held
    return _sentences(
        held,
        ngettext(
            "Representatives of the following entity attended: %(names)s.",
            "Representatives of the following entities attended: %(names)s.",
            len(entities),
            names=join_names(entities),
        ),
    )


def _discussions(meetings: list[EventSession]) -> list[Block]:
    items = [item for s in meetings for item in s.agenda_items]
    if not items:
        return []
    blocks: list[Block] = [Heading(2, gettext("Discussions"))]
    for item in items:
        blocks.append(Heading(3, item.title))
        notes = _blocks_of(item.notes)
        blocks += [Paragraph(p) for p in notes] or [
            Placeholder(
                gettext("No notes on this item yet: add them on its session's agenda notes.")
            )
        ]
    return blocks


def _attendance(report: SessionReport | None) -> Block:
    if report is None or not report.paragraph:
        return Placeholder(gettext("Nobody has been checked in yet."))
    return Paragraph(report.paragraph)  # the reports' official paragraph, as it is


def _training_day(day: EventSession, report: SessionReport | None) -> list[Block]:
    lead = day.lead_organisation.short_name if day.lead_organisation else ""
    blocks: list[Block] = [
        Heading(2, day.title),
        Paragraph(
            _sentences(
                gettext(
                    "The training day was held on %(date)s in %(city)s.",
                    date=long_date(_day(day), weekday=False),
                    city=day.event.city,
                ),
                gettext("It was led by %(lead)s.", lead=lead) if lead else "",
            )
        ),
        *(Paragraph(p) for p in _blocks_of(day.description)),
    ]
    parts = [p for p in day.parts if not p.is_cancelled]
    if parts:
        blocks.append(
            Paragraph(
                ngettext(
                    "The day comprised the following session:",
                    "The day comprised the following sessions:",
                    len(parts),
                )
            )
        )
        items = [
            gettext("%(title)s: %(description)s", title=p.title, description=p.description)
            if p.description.strip()
            else p.title
            for p in parts
        ]
        blocks += _lettered(list(zip(_letters(len(items)), items, strict=True)))
    blocks.append(_attendance(report))
    if report is not None and report.counts.waitlisted and day.capacity:
        blocks.append(
            Paragraph(
                ngettext(
                    "Demand exceeded the %(capacity)s seats: %(num)d more person was on the "
                    "waiting list.",
                    "Demand exceeded the %(capacity)s seats: %(num)d more people were on the "
                    "waiting list.",
                    report.counts.waitlisted,
                    capacity=day.capacity,
                )
            )
        )
    return blocks


def _host(table: TopicTable) -> str:
    """'the Patent and Treaty Law Section of WIPO', 'UNODC', or the unit alone."""
    entity = table.host_organisation.short_name if table.host_organisation else ""
    unit = table.host_label.strip()
    if entity and unit:
        return gettext("the %(unit)s of %(entity)s", unit=unit, entity=entity)
    return entity or unit


def _speed_networking(session: EventSession, report: SessionReport | None) -> list[Block]:
    rounds, minutes = session.round_count or 0, session.round_minutes or 0
    when = gettext(
        "The session was held on %(date)s.", date=long_date(_day(session), weekday=False)
    )
    if rounds and minutes:
        when = ngettext(
            "The session was held on %(date)s in %(num)d round of %(minutes)d minutes.",
            "The session was held on %(date)s in %(num)d rounds of %(minutes)d minutes.",
            rounds,
            date=long_date(_day(session), weekday=False),
            minutes=minutes,
        )
    blocks: list[Block] = [
        Heading(2, session.title),
        Paragraph(when),
        *(Paragraph(p) for p in _blocks_of(session.description)),
    ]
    tables = list(session.tables)
    if tables:
        count = len(tables)
        invited = (
            ngettext(
                "Participants were invited to join at least %(minimum)d of the following "
                "%(num)d topic:",
                "Participants were invited to join at least %(minimum)d of the following "
                "%(num)d topics:",
                count,
                minimum=session.min_tables,
            )
            if session.min_tables
            else ngettext(
                "The following %(num)d topic was discussed:",
                "The following %(num)d topics were discussed:",
                count,
            )
        )
        blocks.append(Paragraph(invited))
        items = [
            (
                t.code,
                gettext("%(topic)s, led by a representative of %(host)s", topic=t.topic, host=host)
                if (host := _host(t))
                else t.topic,
            )
            for t in tables
        ]
        blocks += _lettered(items)
    blocks.append(_attendance(report))
    return blocks

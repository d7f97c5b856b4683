"""Reports as tables ("views"): CSV, one view per file, and XLSX, one sheet per view.

Cells are typed: counts are integers, times are real datetimes. Excel has no time zones, so times
are naive wall-clock times in the event's zone and the header names the zone.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from meetingapp.domain.i18n import N_
from meetingapp.domain.timezones import utc_to_local
from meetingapp.reports import xlsx_writer
from meetingapp.reports.queries import EventReport, SessionReport

VIEWS = ("sessions", "entities", "people", "tables", "paragraphs")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Registration statuses as the people sheet spells them ("" = checked in without registering).
STATUS_LABELS = {
    "confirmed": N_("confirmed"),
    "waitlisted": N_("waitlisted"),
    "cancelled": N_("cancelled"),
    "": N_("not registered"),
    None: N_("not registered"),
}


@dataclass
class Column:
    header: str
    width: int = 14


@dataclass
class View:
    name: str
    title: str  # the sheet's name (Excel: at most 31 characters)
    columns: list[Column]
    rows: Iterable[Sequence]


def _local(zone: str) -> Callable[[datetime | None], datetime | None]:
    def convert(instant: datetime | None) -> datetime | None:
        if instant is None:
            return None
        return utc_to_local(instant, zone).replace(tzinfo=None, second=0, microsecond=0)

    return convert


def report_views(event_timezone: str, sessions: list[SessionReport]) -> list[View]:
    """The sessions summary, entities, people, tables and paragraphs of these session reports."""
    local = _local(event_timezone)
    zone = f"({event_timezone})"
    views = [
        View(
            "sessions",
            gettext("Sessions"),
            [
                Column(gettext("Session"), 50),
                Column(gettext("Kind"), 16),
                Column(gettext("Starts %(zone)s", zone=zone), 18),
                Column(gettext("Capacity"), 10),
                Column(gettext("Registered"), 11),
                Column(gettext("Waitlisted"), 11),
                Column(gettext("Cancelled"), 10),
                Column(gettext("Attended"), 10),
                Column(gettext("No-shows"), 10),
            ],
            [
                (
                    s.session.title,
                    gettext(s.session.kind.label),
                    local(s.session.starts_at),
                    s.session.capacity,
                    s.counts.registered,
                    s.counts.waitlisted,
                    s.counts.cancelled,
                    s.counts.attended,
                    s.counts.no_shows,
                )
                for s in sessions
            ],
        ),
        View(
            "entities",
            gettext("Entities"),
            [
                Column(gettext("Session"), 50),
                Column(gettext("Entity"), 12),
                Column(gettext("Entity name"), 40),
                Column(gettext("Registered"), 11),
                Column(gettext("Waitlisted"), 11),
                Column(gettext("Cancelled"), 10),
                Column(gettext("Attended"), 10),
                Column(gettext("No-shows"), 10),
            ],
            [
                (
                    s.session.title,
                    e.entity,
                    e.entity_name,
                    e.counts.registered,
                    e.counts.waitlisted,
                    e.counts.cancelled,
                    e.counts.attended,
                    e.counts.no_shows,
                )
                for s in sessions
                for e in s.by_entity
            ],
        ),
        View(
            "people",
            gettext("People"),
            [
                Column(gettext("Session"), 40),
                Column(gettext("Name"), 26),
                Column(gettext("E-mail"), 30),
                Column(gettext("Entity"), 10),
                Column(gettext("Status"), 11),
                Column(gettext("Past capacity"), 8),
                Column(gettext("Registered %(zone)s", zone=zone), 18),
                Column(gettext("Attended"), 9),
                Column(gettext("Checked in %(zone)s", zone=zone), 18),
                Column(gettext("Checked in by"), 20),
                Column(gettext("Method"), 8),
                Column(gettext("Rounds present"), 10),
            ],
            _people_rows(sessions, local),
        ),
        View(
            "tables",
            gettext("Tables"),
            [
                Column(gettext("Session"), 40),
                Column(gettext("Round"), 7),
                Column(gettext("Round starts %(zone)s", zone=zone), 18),
                Column(gettext("Table"), 7),
                Column(gettext("Topic"), 40),
                Column(gettext("Host"), 30),
                Column(gettext("Seats"), 7),
                Column(gettext("Planned"), 8),
                Column(gettext("Present"), 8),
            ],
            [
                (
                    s.session.title,
                    t.round_number + 1,
                    local(t.round_starts_at),
                    t.table_code or "—",
                    t.topic,
                    t.host,
                    t.seats,
                    t.planned,
                    t.present,
                )
                for s in sessions
                for t in s.tables
            ],
        ),
        View(
            "paragraphs",
            gettext("Report text"),
            [Column(gettext("Session"), 40), Column(gettext("Paragraph"), 120)],
            [(s.session.title, s.paragraph) for s in sessions if s.paragraph],
        ),
    ]
    return views


def _people_rows(sessions: list[SessionReport], local) -> Iterable[Sequence]:
    labels = {key: gettext(label) for key, label in STATUS_LABELS.items()}  # once, not per row
    for s in sessions:
        title = s.session.title
        for p in s.people:
            yield (
                title,
                p.name,
                p.email,
                p.entity,
                labels[p.status] if p.status in labels else gettext(p.status),
                True if p.override else None,  # flagged only: a column of FALSE costs time
                local(p.registered_at),
                p.present,
                local(p.checked_in_at),
                p.checked_in_by,
                p.method,
                ", ".join(str(r + 1) for r in p.rounds),
            )


def event_views(report: EventReport) -> list[View]:
    return report_views(report.event.timezone, report.sessions)


def session_views(report: SessionReport) -> list[View]:
    views = report_views(report.session.event.timezone, [report])
    return [v for v in views if v.name != "tables" or report.tables]


# --- writers -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return "" if value is None else value


def write_csv(view: View) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in view.columns])
    writer.writerows([_csv_safe(v) for v in row] for row in view.rows)
    return ("\ufeff" + out.getvalue()).encode()


def write_xlsx(views: list[View]) -> bytes:
    """One sheet per view: bold frozen header, auto-filter, typed cells. Streams row by row."""
    return xlsx_writer.workbook(
        [
            (
                view.title[:31],
                [c.width for c in view.columns],
                [c.header for c in view.columns],
                view.rows,
            )
            for view in views
        ],
        DATETIME_FORMAT,
    )


def filename(*parts: str, ext: str) -> str:
    """'un-space-43rd-session-people.csv': ASCII, lower case, at most about 90 characters."""
    words = []
    for part in parts:
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
        if len(slug) > 40:  # cut at a word boundary
            slug = slug[:41].rsplit("-", 1)[0]
        if slug:
            words.append(slug)
    return f"{'-'.join(words) or 'report'}.{ext}"

"""Reports per event and session: HTML with charts, CSV and XLSX, the paragraph, query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from meetingapp.checkin.service import check_in, undo_check_in
from meetingapp.extensions import db
from meetingapp.models import Event, Organisation, SessionKind
from meetingapp.registration.service import cancel_registration, register_participant
from tests import factories
from tests.text import page_text

SEED_SENTENCE = (
    "A total of 21 participants benefited from the training; they came from the following United "
    "Nations offices and entities: Department of Economic and Social Affairs; Department for "
    "General Assembly and Conference Management; Department of Global Communications; Department "
    "of Management Strategy, Policy and Compliance; Department of Operational Support; Department "
    "of Peace Operations; International Civil Aviation Organization; Office for Disarmament "
    "Affairs; Office of Information and Communications Technology; Office of Internal Oversight "
    "Services; United Nations Development Coordination Office; United Nations Global Service "
    "Centre; United Nations Institute for Disarmament Research; United Nations Population Fund; "
    "and Counter-Terrorism Committee Executive Directorate."
)
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def _text(response) -> str:
    return page_text(response)


def _demo_event(title_part: str) -> Event:
    return db.session.scalar(
        select(Event).where(Event.title.like(f"%{title_part}%")).order_by(Event.starts_on)
    )


def _training(event: Event):
    return next(s for s in event.sessions if s.kind == SessionKind.TRAINING)


@pytest.fixture
def organiser_client(app, client, auth):
    auth.login("organiser@example.org", app.config["DEMO_PASSWORD"])
    return client


@pytest.mark.demo
def test_event_report_has_the_seed_sentence_counts_and_charts(organiser_client):
    ny = _demo_event("43rd session")
    r = organiser_client.get(f"/reports/events/{ny.id}")
    assert r.status_code == 200
    page = _text(r)
    assert SEED_SENTENCE in page
    assert re.search(
        r"Training day “Earth Observation for Societal Benefit” .*? 21 21 4 0 21 0", page
    )
    body = r.get_data(as_text=True)
    assert body.count('<svg class="chart" role="img"') == 2
    assert "<title" in body and "<desc" in body


@pytest.mark.demo
def test_session_report_shows_people_and_planned_against_present_per_table(organiser_client):
    speed = _demo_event("20th open").sessions[0]
    r = organiser_client.get(f"/reports/sessions/{speed.id}")
    page = _text(r)
    assert "A total of 44 participants attended the session; they came from the following" in page
    assert "Participant 43" in page
    # Present of planned per table (rows) and round (columns). Which tables the two people who
    # left before the last round sat at depends on the plan (the planner's search may end on its
    # wall-clock deadline on a busy machine), so count the empty seats rather than name a cell.
    grid = _present_of_planned(r)
    assert len(grid) == 11 and all(len(row) == 4 for row in grid)
    empty = [
        sum(planned - present for present, planned in column) for column in zip(*grid, strict=True)
    ]
    assert empty == [0, 0, 0, 2]


def _present_of_planned(response) -> list[list[tuple[int, int]]]:
    """The per-table grid of the session report: one row per table, one (present, planned)
    pair per round."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="report-grid[^"]*">.*?<tbody>(.*?)</tbody>', body, flags=re.S)
    return [
        [(int(a), int(b)) for a, b in re.findall(r"<td[^>]*>(\d+) of (\d+)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.S)
    ]


@pytest.mark.demo
def test_xlsx_has_one_typed_sheet_per_view_with_frozen_filtered_headers(organiser_client):
    ny = _demo_event("43rd session")
    r = organiser_client.get(f"/reports/events/{ny.id}/report.xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=un-space-43rd-session-report.xlsx"
    )
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["Sessions", "Entities", "People", "Tables", "Report text"]
    people = wb["People"]
    assert people.freeze_panes == "A2"
    assert people.auto_filter.ref == f"A1:L{people.max_row}"
    header = [c.value for c in people[1]]
    assert header[8] == "Checked in (America/New_York)" and people["A1"].font.b
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in people.iter_rows(min_row=2)
    ]
    trainee = next(
        p for p in rows if p["Name"] == "Participant 01" and p["Session"].startswith("Training")
    )
    assert trainee["Attended"] is True
    assert trainee["Checked in (America/New_York)"] == datetime(2024, 10, 28, 9, 35)  # local, naive
    sessions = wb["Sessions"]
    training = next(
        row for row in sessions.iter_rows(min_row=2, values_only=True) if row[1] == "Training day"
    )
    assert training[3:] == (21, 21, 4, 0, 21, 0)
    text = [row[1] for row in wb["Report text"].iter_rows(min_row=2, values_only=True)]
    assert SEED_SENTENCE in text


@pytest.mark.demo
def test_csv_views_download_with_meaningful_names(organiser_client):
    ny = _demo_event("43rd session")
    r = organiser_client.get(f"/reports/events/{ny.id}/entities.csv")
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=un-space-43rd-session-entities.csv"
    )
    assert r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    cted = next(
        row for row in rows if row["Entity"] == "CTED" and row["Session"].startswith("Training")
    )
    assert cted["Attended"] == "1" and cted["Entity name"].startswith("Counter-Terrorism")
    day = _training(ny)
    r = organiser_client.get(f"/reports/sessions/{day.id}/people.csv")
    assert r.headers["Content-Disposition"].startswith(
        "attachment; filename=un-space-43rd-session-training-day-earth-observation-for"
    )
    assert r.data.decode("utf-8-sig").count("\r\n") == 26  # header + 21 confirmed + 4 waitlisted
    assert organiser_client.get(f"/reports/events/{ny.id}/secrets.csv").status_code == 404
    assert organiser_client.get(f"/reports/sessions/{day.id}/tables.csv").status_code == 404


@pytest.mark.demo
def test_a_training_days_part_reports_as_its_day(organiser_client):
    day = _training(_demo_event("43rd session"))
    r = organiser_client.get(f"/reports/sessions/{day.parts[0].id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/reports/sessions/{day.id}")
    assert organiser_client.get("/reports/events/999999").status_code == 404


@pytest.mark.demo
def test_organiser_event_page_links_to_check_in_and_reports(organiser_client):
    ny = _demo_event("43rd session")
    day = _training(ny)
    body = organiser_client.get(f"/organise/events/{ny.id}").get_data(as_text=True)
    assert f'href="/reports/events/{ny.id}"' in body
    assert f'href="/checkin/sessions/{day.id}"' in body
    assert f'href="/reports/sessions/{day.id}"' in body


@pytest.mark.demo
def test_reports_are_for_organisers_only(app, client, auth):
    ny = _demo_event("43rd session")
    assert client.get(f"/reports/events/{ny.id}").status_code == 302
    auth.login("participant01@example.org", app.config["DEMO_PASSWORD"])
    assert client.get(f"/reports/events/{ny.id}").status_code == 403
    assert client.get(f"/reports/events/{ny.id}/report.xlsx").status_code == 403


# --- counts, cancellations, no-shows and hostile names ----------------------------------------


@pytest.fixture
def small_event(app):
    org = factories.organisation("DESA", "Economic and Social Affairs")
    session = factories.session(
        kind=SessionKind.TRAINING, capacity=2, title="Training day", starts_at=START
    )
    organiser = factories.organiser("boss@example.org")
    people = [
        factories.user(f"p{i}@example.org", org=org if i else None, name=f"Person {i}")
        for i in range(4)
    ]
    people[3].name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    signed = datetime(2024, 10, 1, tzinfo=UTC)
    for p in people:
        register_participant(user=p, session_id=session.id, now=signed, check_window=False)
    cancel_registration(user=people[1], session_id=session.id, now=signed)  # people[2] promoted
    check_in(session_id=session.id, user_id=people[2].id, actor=organiser, now=START)
    check_in(session_id=session.id, user_id=people[0].id, actor=organiser, now=START)
    undo_check_in(
        session_id=session.id,
        user_id=people[0].id,
        actor=organiser,
        now=START + timedelta(minutes=1),
    )
    return session, people, organiser


def test_counts_registered_waitlisted_cancelled_attended_and_no_shows(client, auth, small_event):
    session, people, organiser = small_event
    auth.login(organiser.email)
    page = _text(client.get(f"/reports/sessions/{session.id}"))
    assert "Registered 2 of 2 seats Waitlisted 1 Cancelled 1 Attended 1 No-shows 1" in page
    assert (
        "A total of 1 participant benefited from the training; the participant came from the "
        "following United Nations offices and entities: Economic and Social Affairs." in page
    )


def test_spreadsheets_keep_hostile_names_as_text(client, auth, small_event):
    session, people, organiser = small_event
    auth.login(organiser.email)
    r = client.get(f"/reports/sessions/{session.id}/people.csv")
    assert "'=HYPERLINK" in r.data.decode("utf-8-sig")
    wb = load_workbook(io.BytesIO(client.get(f"/reports/sessions/{session.id}/report.xlsx").data))
    names = {c.value: c.data_type for c in wb["People"]["B"][1:]}
    assert names['=HYPERLINK("http://evil.example")'] == "s"


def _grow(session_ids, organiser, n: int, offset: int) -> None:
    org = db.session.scalar(select(Organisation).limit(1))
    for i in range(n):
        person = factories.user(f"grow{offset + i}@example.org", org=org)
        db.session.commit()
        for sid in session_ids:
            register_participant(user=person, session_id=sid, now=START, check_window=False)
            check_in(session_id=sid, user_id=person.id, actor=organiser, now=START)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/events/{event}",
        "/reports/events/{event}/report.xlsx",
        "/reports/events/{event}/people.csv",
        "/reports/sessions/{session}",
    ],
)
def test_report_query_count_does_not_grow_with_rows(client, auth, small_event, path, count_queries):
    session, _, organiser = small_event
    other = factories.session(session.event, title="Second meeting", starts_at=START)
    session.capacity = None
    db.session.commit()
    auth.login(organiser.email)
    url = path.format(event=session.event_id, session=session.id)
    counts = []
    for step in range(2):
        _grow([session.id, other.id], organiser, 3 if step == 0 else 12, offset=step * 100)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1], counts

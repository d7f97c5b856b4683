"""Attendance rules and the report's wording: pure functions, no app, no database."""

from __future__ import annotations

import re
from datetime import date

import pytest

from meetingapp.domain.attendance import CheckInRefused, check_day, check_round, present
from meetingapp.models import SessionKind
from meetingapp.reports.charts import Series, bar_chart
from meetingapp.reports.exports import _csv_safe, filename
from meetingapp.reports.queries import (
    attendance_paragraph,
    entity_order,
    join_names,
    report_subject,
)

SEED_OFFICES = [
    "DESA",
    "DGACM",
    "DGC",
    "DMSPC",
    "DOS",
    "DPO",
    "ICAO",
    "UNODA",
    "OICT",
    "OIOS",
    "DCO",
    "UNGSC",
    "UNIDIR",
    "UNFPA",
    "CTED",
]


def test_check_in_is_open_on_the_sessions_local_day_only():
    check_day(date(2024, 10, 28), date(2024, 10, 28))
    with pytest.raises(CheckInRefused, match="open on 28 October 2024 only.*today is 27 October"):
        check_day(date(2024, 10, 27), date(2024, 10, 28))


def test_rounds_are_required_for_networking_and_refused_elsewhere():
    check_round(None, None, networking=False)
    check_round(3, 4, networking=True)
    with pytest.raises(CheckInRefused, match="no rounds"):
        check_round(0, None, networking=False)
    for bad in (None, -1, 4):
        with pytest.raises(CheckInRefused, match="between 1 and 4"):
            check_round(bad, 4, networking=True)


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([], False),
        (["check_in"], True),
        (["check_in", "undo"], False),
        (["check_in", "undo", "check_in"], True),
    ],
)
def test_presence_is_the_latest_action(actions, expected):
    assert present(actions) is expected


@pytest.mark.parametrize(
    ("names", "joined"),
    [
        ([], ""),
        (["DESA"], "DESA"),
        (["DESA", "DOS"], "DESA and DOS"),
        (["DESA", "DOS", "DPO"], "DESA, DOS and DPO"),
    ],
)
def test_names_are_joined_with_and_before_the_last(names, joined):
    assert join_names(names) == joined


def test_the_paragraph_reproduces_the_seeds_sentence():
    subject, noun = report_subject(SessionKind.TRAINING, "Training day “Earth Observation”")
    assert attendance_paragraph(subject, 21, SEED_OFFICES, noun=noun) == (
        "The training day was attended by 21 participants from the following offices: DESA, "
        "DGACM, DGC, DMSPC, DOS, DPO, ICAO, UNODA, OICT, OIOS, DCO, UNGSC, UNIDIR, UNFPA and CTED."
    )


def test_entities_sort_alphabetically_whatever_their_case():
    assert sorted(["UNODA", "cted", "DESA", "ICAO"], key=entity_order) == [
        "cted",
        "DESA",
        "ICAO",
        "UNODA",
    ]


def test_the_paragraph_handles_one_person_one_entity_and_missing_entities():
    subject, noun = report_subject(SessionKind.MEETING, "Opening")
    assert attendance_paragraph(subject, 1, ["DESA"], noun=noun) == (
        "The session “Opening” was attended by 1 participant from the following entity: DESA."
    )
    assert attendance_paragraph(subject, 3, ["DESA", "DOS"], noun=noun, without_entity=1) == (
        "The session “Opening” was attended by 3 participants from the following entities: "
        "DESA and DOS (1 of them with no entity on record)."
    )
    assert attendance_paragraph(subject, 2, [], noun=noun) == (
        "The session “Opening” was attended by 2 participants."
    )
    assert attendance_paragraph(subject, 0, [], noun=noun) == ""


def test_speed_networking_sessions_are_named_as_such():
    assert report_subject(SessionKind.SPEED_NETWORKING, "Speed dating")[0] == (
        "The speed-networking session “Speed dating”"
    )


def test_bar_chart_is_accessible_and_escapes_labels():
    svg = str(
        bar_chart(
            "Attendance <by> session",
            ["A & B", "C"],
            [Series("Registered", [21, 3]), Series("Attended", [20, 0])],
        )
    )
    assert svg.startswith('<svg class="chart" role="img" aria-labelledby=')
    assert "<title id=" in svg and "Attendance &lt;by&gt; session" in svg
    assert "A &amp; B: Registered 21, Attended 20; C: Registered 3, Attended 0" in svg  # the desc
    # Legend + bars: a zero draws no bar (a zero-width bar shows as a stray line), but its
    # category, tooltip and value are still there for the reader.
    assert svg.count("<rect") == 2 + 3
    assert re.search(r">20</text>", svg)
    assert re.search(r'<text class="category"[^>]*>C</text>', svg)
    assert re.search(r"<g><title>C: Attended 0</title><text [^>]*>0</text></g>", svg)
    assert "style=" not in svg  # CSP: style-src 'self' forbids inline styles


def test_bar_chart_without_data_says_so():
    assert "No data yet." in str(bar_chart("Nothing", [], [Series("Registered", [])]))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("Person", "Person"),
        (None, ""),
        (True, "yes"),
        (21, 21),
    ],
)
def test_csv_cells_never_start_a_formula(value, safe):
    assert _csv_safe(value) == safe


def test_download_names_are_short_ascii_slugs():
    assert filename("UN-Space, 43rd session", "people", ext="csv") == (
        "un-space-43rd-session-people.csv"
    )
    long = filename(
        "UN-Space, 20th open informal session “Getting to know the UN: speed dating”", ext="xlsx"
    )
    assert long == "un-space-20th-open-informal-session.xlsx"
    assert filename("“”", ext="csv") == "report.csv"

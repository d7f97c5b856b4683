"""The draft of the meeting's report: a DOCX of the demo's 2024 events, read back with python-docx
and opened by LibreOffice (converted to PDF, read with pdftotext), in English and in Chinese."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select

from meetingapp.demo import data
from meetingapp.demo.entity_names import OFFICIAL_NAMES
from meetingapp.extensions import db
from meetingapp.models import AgendaItem, Event
from meetingapp.reports.docx_writer import DOCX_MIME
from tests import factories

TRAINEES = (
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
# The seed's paragraph 5, in alphabetical order of the short names as every report lists them.
_ENTITIES = sorted(data.SESSION_ENTITIES, key=str.casefold)
MAIN_SESSION = (
    "Representatives of the following entities attended: "
    f"{', '.join(_ENTITIES[:-1])} and {_ENTITIES[-1]}."
)
ENGLISH_WORDING = (
    "Introduction",
    "Background and attendance",
    "Discussions",
    "benefited from the training",
    "Representatives of the following",
    "The meeting was held",
    "October",
    "November",
    "Draft prepared",
)


def _demo_2024() -> tuple[Event, Event]:
    ny = db.session.scalar(select(Event).where(Event.title == data.NEW_YORK["title"]))
    vienna = db.session.scalar(select(Event).where(Event.title == data.VIENNA["title"]))
    return ny, vienna


@pytest.fixture
def organiser_client(app, client, auth):
    auth.login("organiser@example.org", app.config["DEMO_PASSWORD"])
    return client


def _download(client, events: list[Event], language: str):
    query = "&".join(f"event={e.id}" for e in events)
    return client.get(f"/reports/draft.docx?{query}&language={language}")


def _blocks(docx: bytes) -> list[tuple[str, str]]:
    """(style, text) of every paragraph of the body, as a word processor reads them."""
    return [(p.style.name, p.text) for p in Document(io.BytesIO(docx)).paragraphs]


def _texts(blocks, style: str) -> list[str]:
    return [text for name, text in blocks if name == style]


def _pdf_text(docx: bytes, tmp_path) -> str:
    """Open the DOCX in LibreOffice Writer (headless), save it as PDF, read the PDF's text."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice Writer (soffice) or pdftotext is not installed")
    source = tmp_path / "draft.docx"
    source.write_bytes(docx)
    subprocess.run(  # noqa: S603  # nosec B603: fixed arguments, our own file
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "draft.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    out = subprocess.run(  # noqa: S603  # nosec B603
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout


def _body(pdf_text: str, mark: str) -> list[str]:
    """The PDF's lines without each page's header (the draft mark) and footer (its number)."""
    lines = []
    for page in pdf_text.split("\f"):
        text = [line for line in page.splitlines() if line.strip()]
        if text and text[0].strip() == mark:
            text = text[1:]
        if text and text[-1].strip().isdigit():
            text = text[:-1]
        lines += text
    return lines


def _words(text: str) -> str:
    return " ".join(text.split())


# --- the demo's 2024 events ---------------------------------------------------------------------


@pytest.mark.demo
def test_event_report_links_to_the_draft_page_with_the_event_ticked(organiser_client):
    ny, vienna = _demo_2024()
    report = organiser_client.get(f"/reports/events/{ny.id}").get_data(as_text=True)
    assert f'href="/reports/events/{ny.id}/draft"' in report
    page = organiser_client.get(f"/reports/events/{ny.id}/draft")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'name="event" value="{ny.id}" checked' in body
    assert f'name="event" value="{vienna.id}">' in body  # offered, not ticked
    assert 'name="language" value="en" checked' in body
    assert 'action="/reports/draft.docx"' in body and 'method="get"' in body
    morning = next(s for s in ny.sessions if s.title.endswith("morning"))
    assert f'href="/organise/sessions/{morning.id}/agenda"' in body
    assert "agenda items with notes: 3 of 3" in body


@pytest.mark.demo
@pytest.mark.slow
def test_english_draft_of_2024_holds_the_seeds_figures_and_opens_in_libreoffice(
    organiser_client, tmp_path
):
    ny, vienna = _demo_2024()
    r = _download(organiser_client, [vienna, ny], "en")  # in date order whatever the order asked
    assert r.status_code == 200 and r.mimetype == DOCX_MIME
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=un-space-43rd-session-report-draft-en.docx"
    )
    blocks = _blocks(r.data)
    assert _texts(blocks, "Heading 1") == ["Introduction", ny.title, vienna.title]
    paragraphs = _texts(blocks, "Report Paragraph")
    assert TRAINEES in paragraphs
    assert any(p.endswith(MAIN_SESSION) for p in paragraphs)
    assert "The training day was held on 28 October 2024 in New York. It was led by DOS." in (
        paragraphs
    )
    assert not any("Monday" in p or "Thursday" in p for p in paragraphs)  # no weekdays
    assert "Demand exceeded the 21 seats: 4 more people were on the waiting list." in paragraphs

    # The agenda items as headings, in order, each followed by its notes, one paragraph a block.
    titles = [item for s in data.NEW_YORK["sessions"] for item in s.get("agenda", [])]
    assert _texts(blocks, "Heading 3") == titles
    for title in titles:
        at = blocks.index(("Heading 3", title))
        notes = data.AGENDA_NOTES[title].split("\n\n")
        assert blocks[at + 1 : at + 1 + len(notes)] == [("Report Paragraph", n) for n in notes]

    # The 11 topics of the open session as a lettered list, each with its host.
    tables = data.VIENNA["sessions"][0]["tables"]
    lettered = _texts(blocks, "Report Lettered")[-len(tables) :]
    assert len(tables) == 11
    for line, (code, topic, host, unit) in zip(lettered, tables, strict=True):
        assert line.startswith(f"({code})\t{topic}, led by a representative of ")
        assert host in line and unit in line
    assert lettered[-1].endswith(".") and all(t.endswith(";") for t in lettered[:-1])

    # LibreOffice opens it for editing: the numbering is the word processor's own.
    text = _words(" ".join(_body(_pdf_text(r.data, tmp_path), "Draft")))
    assert "I. Introduction" in text and "II. UN-Space, 43rd session" in text
    assert "1. This document contains the report on the following events:" in text
    assert _words(TRAINEES) in text


@pytest.mark.demo
@pytest.mark.slow
def test_chinese_draft_writes_dates_and_wording_in_chinese(organiser_client, tmp_path):
    ny, vienna = _demo_2024()
    r = _download(organiser_client, [ny, vienna], "zh_Hans")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].endswith("-report-draft-zh-hans.docx")
    document = Document(io.BytesIO(r.data))
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    blocks = _blocks(r.data)
    text = "\n".join(t for _style, t in blocks)
    assert [w for w in ENGLISH_WORDING if w in text] == []
    assert "2024年10月28日" in text and "2024年11月20日" in text
    assert "星期" not in text  # reports write no weekday
    trainees = next(p for p in _texts(blocks, "Report Paragraph") if p.startswith("共有 21 名"))
    # The report page's paragraph, the same function's (test_official_names checks it against
    # the seed's paragraph 43 character for character).
    assert trainees.endswith("联合国人口基金和反恐怖主义委员会执行局。")
    assert all(OFFICIAL_NAMES[office][5] in trainees for office in data.TRAINEE_OFFICES)
    main = [p for p in _texts(blocks, "Report Paragraph") if "EOSG" in p and "WMO" in p]
    assert len(main) == 1  # the main session's 16 entities (the speed dating names them in full)
    assert any(
        p.startswith("共有 44 名与会者出席了此次会议") and "秘书长办公厅" in p
        for p in _texts(blocks, "Report Paragraph")
    )
    assert all(entity in main[0] for entity in data.SESSION_ENTITIES)
    assert not any(office in main[0] for office in ("DGACM", "CTED", "UNGSC"))  # trainees only
    tables = data.VIENNA["sessions"][0]["tables"]
    lettered = _texts(blocks, "Report Lettered")[-len(tables) :]
    for line, (code, topic, host, unit) in zip(lettered, tables, strict=True):
        assert line.startswith(f"({code})\t{topic}") and host in line and unit in line
    assert "Space sustainability" in _texts(blocks, "Heading 3")  # content stays as typed

    mark = document.sections[0].header.paragraphs[0].text  # the page header: "Draft"
    assert mark and mark != "Draft"
    pdf = re.sub(r"\s+", "", "".join(_body(_pdf_text(r.data, tmp_path), mark)))
    assert "2024年10月28日" in pdf and "2024年11月20日" in pdf
    assert re.sub(r"\s+", "", trainees) in pdf


# --- rules and input ----------------------------------------------------------------------------


@pytest.fixture
def meeting(app):
    event = factories.event(title="Space law clinic", starts_on=date(2024, 11, 20))
    session = factories.session(event, title="Plenary")
    session.agenda_items = [
        AgendaItem(position=1, title="Opening", notes="First point.\n\nSecond point."),
        AgendaItem(position=2, title="Other matters"),
    ]
    factories.organiser("chief@example.org")
    factories.user("participant@example.org")
    db.session.commit()
    return event


def test_only_organisers_get_the_draft_or_its_page(client, auth, meeting):
    page, docx = f"/reports/events/{meeting.id}/draft", f"/reports/draft.docx?event={meeting.id}"
    for url in (page, docx):
        r = client.get(url)
        assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    auth.login("participant@example.org")
    assert client.get(page).status_code == 403
    assert client.get(docx).status_code == 403
    auth.logout()
    auth.login("chief@example.org")
    assert client.get(page).status_code == 200
    assert client.get(docx).status_code == 200


def test_an_item_without_notes_gets_a_reminder_and_notes_keep_their_paragraphs(
    client, auth, meeting
):
    auth.login("chief@example.org")
    blocks = _blocks(_download(client, [meeting], "en").data)
    at = blocks.index(("Heading 3", "Opening"))
    assert blocks[at + 1 : at + 4] == [
        ("Report Paragraph", "First point."),
        ("Report Paragraph", "Second point."),
        ("Heading 3", "Other matters"),
    ]
    style, reminder = blocks[at + 4]
    assert style == "Report Placeholder" and "No notes on this item" in reminder
    assert ("Report Paragraph", "The meeting was held on 20 November 2024.") in blocks


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 422, "Choose at least one event for the report."),
        ("event=abc", 422, "Choose at least one event for the report."),
        ("event={id}&language=xx", 422, "Choose one of the interface languages for the report."),
        ("event=999999", 404, "There is no such event."),
    ],
)
def test_bad_draft_requests_are_refused_clearly(client, auth, meeting, query, status, message):
    auth.login("chief@example.org")
    r = client.get(f"/reports/draft.docx?{query.format(id=meeting.id)}")
    assert r.status_code == status
    assert message in r.get_data(as_text=True)
    assert client.get("/reports/events/999999/draft").status_code == 404

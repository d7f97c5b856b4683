"""The reports' XLSX writer, read back by openpyxl as Excel would show it: no app, no database."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from meetingapp.reports.exports import Column, View, write_xlsx


def _book(rows):
    view = View(
        "people", "People & co", [Column("Name", 26), Column("When", 18), Column("N")], rows
    )
    return load_workbook(io.BytesIO(write_xlsx([view])))


def test_xlsx_cells_keep_their_types_and_text_is_never_a_formula():
    sheet = _book(
        [
            ('=HYPERLINK("http://evil.example")', datetime(2024, 10, 28, 9, 35), 21),
            ("  Ana <Silva> & co ", date(2024, 10, 28), True),
            ("", None, 2.5),
        ]
    )["People & co"]
    assert [c.value for c in sheet[1]] == ["Name", "When", "N"] and sheet["A1"].font.b
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == datetime(2024, 10, 28, 9, 35)
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert (sheet["C2"].value, sheet["A3"].value, sheet["C3"].value) == (
        21,
        "  Ana <Silva> & co ",
        True,
    )
    assert sheet["B3"].value == datetime(2024, 10, 28)
    assert (sheet["A4"].value, sheet["B4"].value, sheet["C4"].value) == (None, None, 2.5)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C4"
    assert sheet.column_dimensions["A"].width == 26


def test_xlsx_drops_characters_xml_cannot_hold_instead_of_failing():
    sheet = _book([("Bell\x07 and\x00 null", None, 1)])["People & co"]
    assert sheet["A2"].value == "Bell and null"


def test_an_empty_view_is_a_header_row_with_its_filter():
    sheet = _book([])["People & co"]
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:C1"

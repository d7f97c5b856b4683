"""A streaming XLSX writer for report tables: the few parts of SpreadsheetML our sheets use.

Why not openpyxl: even in write-only mode it builds and serialises a cell object per value
(about 10 µs each); a report of 10,000 registrations has ~100,000 cells, which took seconds.
Here each row is one formatted string. The workbook is what openpyxl wrote: one sheet per
view, column widths, a bold frozen header row with an auto-filter, typed cells (numbers,
booleans, dates as serial numbers with a display format, text always as text, so "=..." is
never a formula).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk folded in)
# Characters XML 1.0 forbids (openpyxl refused them with IllegalCharacterError).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Styles (cellXfs): 0 default, 1 bold header, 2 date and time, 3 date.
_BOLD, _DATETIME, _DATE = 1, 2, 3


def column_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f"<t{space}>{escape(value)}</t>"


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    if value is True or value is False:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        days = (value.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{_DATETIME}"><v>{days!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{s}><is>{_text(str(value))}</is></c>'


def _sheet(widths: Sequence[int], header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    letters = [column_letter(i) for i in range(1, len(header) + 1)]
    out = io.StringIO()
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    head = "".join(_cell(f"{c}1", h, _BOLD) for c, h in zip(letters, header, strict=True))
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData><row r="1">{head}</row>'
    )
    n = 1
    write, texts = out.write, {}
    for n, row in enumerate(rows, start=2):  # noqa: B007 - n is the last row's number
        write(f'<row r="{n}">')
        for c, v in zip(letters, row, strict=False):
            kind = type(v)
            # The common cells first, the same markup as _cell's; the rest through _cell.
            if kind is str:
                if v:
                    text = texts.get(v)  # names of entities, statuses, titles: many repeats
                    if text is None:
                        text = texts[v] = _text(v)
                    write(f'<c r="{c}{n}" t="inlineStr"><is>{text}</is></c>')
            elif v is None:
                continue
            elif kind is bool:
                write(f'<c r="{c}{n}" t="b"><v>{int(v)}</v></c>')
            elif kind is int:
                write(f'<c r="{c}{n}"><v>{v!r}</v></c>')
            elif kind is datetime:
                days = (v.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
                write(f'<c r="{c}{n}" s="{_DATETIME}"><v>{days!r}</v></c>')
            else:
                write(_cell(f"{c}{n}", v))
        write("</row>")
    out.write(f'</sheetData><autoFilter ref="A1:{letters[-1]}{n}"/></worksheet>')
    return out.getvalue().encode()


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="{datetime}"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def workbook(
    sheets: Sequence[tuple[str, Sequence[int], Sequence[str], Iterable[Sequence]]],
    datetime_format: str,
) -> bytes:
    """The .xlsx bytes of ``(title, column widths, header, rows)`` sheets, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries, rels = [], []
        for i, (title, widths, header, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(widths, header, rows))
            entries.append(f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>')
            rels.append(
                f'<Relationship Id="rId{i}" Type="{_DOC_REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
            )
        styles = len(sheets) + 1
        rels.append(
            f'<Relationship Id="rId{styles}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_DOC_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{''.join(entries)}</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG_REL}">'
            f"{''.join(rels)}</Relationships>",
        )
        z.writestr("xl/styles.xml", _STYLES.replace("{datetime}", escape(datetime_format)))
    return out.getvalue()

"""Lay out a report draft (``draft.Draft``) as a Word document with python-docx.

What makes it pleasant to edit: real styles (the headings are Word's Heading 1–3, so the
navigation pane and a table of contents work), and numbering by the word processor itself:
chapters I., II. (一、二、 in Chinese), sections A., B., items 1., 2. restarting under each
section, and the body paragraphs 1., 2., … through the whole document, as in the seed. Inserting
a paragraph renumbers the rest. Lettered sub-paragraphs keep their letters as text (for a topic
table, the letter is the table's own code).

The language is a parameter: its tag goes into the document (spelling and hyphenation), its
script chooses the East Asian or right-to-left settings, and ``TYPOGRAPHY`` holds the few
per-language habits (Chinese chapters counted 一、二; a larger body size for CJK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from babel import Locale
from babel.core import get_global
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from meetingapp.reports.draft import Draft, Heading, Lettered, Paragraph, Placeholder

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "SimSun"  # Word's standard; LibreOffice substitutes Noto CJK where it is absent
EAST_ASIAN = {"zh", "ja", "ko"}


@dataclass(frozen=True)
class Typography:
    body: float = 10  # points, as in the United Nations' English documents
    chapter_numbers: str = "upperRoman"  # Word's w:numFmt for chapters


TYPOGRAPHY = {"zh": Typography(body=12, chapter_numbers="chineseCounting")}

# Numbering definitions (ids chosen above those of python-docx's default template).
HEADINGS_ABSTRACT, HEADINGS_NUM = 90, 90
PARAGRAPHS_ABSTRACT, PARAGRAPHS_NUM = 91, 91
TWIPS_PER_CM = 567


def language_tag(language: str) -> str:
    """'en-US', 'zh-CN', 'ar-EG': the language with its likely territory, as Word writes it."""
    locale = Locale.parse(language)
    likely = get_global("likely_subtags")
    full = likely.get(language) or likely.get(locale.language) or locale.language
    parts = Locale.parse(full)
    return f"{parts.language}-{parts.territory}" if parts.territory else parts.language


def write_docx(draft: Draft, *, now: datetime) -> bytes:
    locale = Locale.parse(draft.language)
    typography = TYPOGRAPHY.get(locale.language, Typography())
    rtl = locale.character_order == "right-to-left"
    doc = Document()
    _page(doc)
    _defaults(doc, language_tag(draft.language), locale.language in EAST_ASIAN, rtl, typography)
    _numbering(doc, typography)
    _styles(doc, typography)
    _header_and_footer(doc, draft)
    doc.add_paragraph(draft.title, style="Report Title")
    doc.add_paragraph(draft.subtitle, style="Report Subtitle")
    doc.add_paragraph(draft.note, style="Report Note")
    for block in draft.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            doc.add_paragraph(block.text, style="Report Paragraph")
        elif isinstance(block, Lettered):
            doc.add_paragraph(f"({block.letter})\t{block.text}", style="Report Lettered")
        elif isinstance(block, Placeholder):
            run = doc.add_paragraph(style="Report Placeholder").add_run(f"[{block.text}]")
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    props = doc.core_properties
    props.title, props.language, props.author = draft.title, language_tag(draft.language), ""
    props.comments, props.last_modified_by = "", ""
    props.created = props.modified = now.replace(tzinfo=None)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)


def _set_fonts(rpr, *, size: float | None = None) -> None:
    """Times New Roman for Latin and complex scripts, SimSun for East Asian text (no theme)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attribute}"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _defaults(doc, tag: str, east_asian: bool, rtl: bool, typography: Typography) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US" if east_asian or rtl else tag)
    lang.set(qn("w:eastAsia"), tag if east_asian else "zh-CN")
    lang.set(qn("w:bidi"), tag if rtl else "ar-SA")
    if rtl:
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        ppr.append(OxmlElement("w:bidi"))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(typography.body)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0


def _level(ilvl: int, fmt: str, text: str, left_cm: float, hanging_cm: float, extra: str = ""):
    left, hanging = round(left_cm * TWIPS_PER_CM), round(hanging_cm * TWIPS_PER_CM)
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{left}"/></w:tabs>'
        f'<w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


def _numbering(doc, typography: Typography) -> None:
    numbering = doc.part.numbering_part.element
    headings = (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{HEADINGS_ABSTRACT}">'
        '<w:multiLevelType w:val="multilevel"/>'
        + _level(0, typography.chapter_numbers, "%1.", 2, 1, '<w:pStyle w:val="Heading1"/>')
        + _level(1, "upperLetter", "%2.", 2, 1, '<w:pStyle w:val="Heading2"/>')
        + _level(2, "decimal", "%3.", 2, 1, '<w:pStyle w:val="Heading3"/>')
        + "</w:abstractNum>"
    )
    paragraphs = (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{PARAGRAPHS_ABSTRACT}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        + _level(0, "decimal", "%1.", 2, 1, '<w:pStyle w:val="ReportParagraph"/>')
        + "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    for xml in (headings, paragraphs):
        element = parse_xml(xml)
        if first_num is not None:
            first_num.addprevious(element)  # the schema puts every abstractNum before any num
        else:
            numbering.append(element)
    for num, abstract in ((HEADINGS_NUM, HEADINGS_ABSTRACT), (PARAGRAPHS_NUM, PARAGRAPHS_ABSTRACT)):
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num}">'
                f'<w:abstractNumId w:val="{abstract}"/></w:num>'
            )
        )


def _number(style, num_id: int, ilvl: int = 0) -> None:
    ppr = style.element.get_or_add_pPr()
    ppr.insert(
        0,
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        ),
    )


def _paragraph_style(doc, name: str, *, size: float, bold=False, italic=False):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size, style.font.bold, style.font.italic = Pt(size), bold, italic
    return style


def _styles(doc, t: Typography) -> None:
    for level, size in ((1, t.body + 2), (2, t.body + 1), (3, t.body)):
        style = doc.styles[f"Heading {level}"]
        style.font.size, style.font.bold, style.font.italic = Pt(size), True, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element.get_or_add_rPr())
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(12 if level < 3 else 8), Pt(6)
        fmt.keep_with_next = True
        _number(style, HEADINGS_NUM, level - 1)
    title = _paragraph_style(doc, "Report Title", size=t.body + 4, bold=True)
    title.paragraph_format.left_indent = Cm(2)
    title.paragraph_format.space_before = Pt(24)
    subtitle = _paragraph_style(doc, "Report Subtitle", size=t.body)
    subtitle.paragraph_format.left_indent = Cm(2)
    subtitle.paragraph_format.space_after = Pt(12)
    note = _paragraph_style(doc, "Report Note", size=t.body - 1, italic=True)
    note.paragraph_format.left_indent = Cm(2)
    note.paragraph_format.space_after = Pt(18)
    paragraph = _paragraph_style(doc, "Report Paragraph", size=t.body)
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.right_indent = Cm(0.5)
    _number(paragraph, PARAGRAPHS_NUM)
    lettered = _paragraph_style(doc, "Report Lettered", size=t.body)
    fmt = lettered.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT  # short lines: justified, they gape
    fmt.left_indent, fmt.first_line_indent, fmt.right_indent = Cm(4), Cm(-1), Cm(0.5)
    placeholder = _paragraph_style(doc, "Report Placeholder", size=t.body, italic=True)
    placeholder.paragraph_format.left_indent = Cm(2)


def _header_and_footer(doc, draft: Draft) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = draft.mark
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )

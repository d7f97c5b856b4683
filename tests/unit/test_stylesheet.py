"""The one stylesheet is written with logical properties, so a right-to-left language works.

Arabic is a UN language: a later ``dir="rtl"`` must mirror the layout without a second stylesheet,
so ``margin-left``, ``left:``, ``text-align: right`` and friends are not used (the browser test in
tests/browser/test_i18n_browser.py renders pages mirrored).
"""

from __future__ import annotations

import re
from pathlib import Path

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "meetingapp" / "static").glob("*.css"))
PHYSICAL = re.compile(
    r"(?<![\w-])(?:margin|padding|border|inset)-(?:left|right)(?:-\w+)?\s*:"
    r"|(?<![\w-])(?:left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
    r"|border-(?:top|bottom)-(?:left|right)-radius\s*:"
)


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [m.group(0) for m in PHYSICAL.finditer(css)]


def test_there_is_one_stylesheet():
    assert [p.name for p in STYLESHEETS] == ["style.css"]


def test_stylesheet_uses_logical_properties_only():
    for path in STYLESHEETS:
        assert physical_properties(path.read_text()) == [], path.name


def test_the_check_finds_physical_properties():
    sample = """a { margin-left: 1rem; padding-inline-start: 1rem; }
    .x { position: absolute; left: 0; inset-inline-start: 0; text-align: right; }
    /* margin-right: 2px in a comment is fine */ .y { float: left; border-right-width: 1px; }"""
    assert physical_properties(sample) == [
        "margin-left:",
        "left:",
        "text-align: right",
        "float: left",
        "border-right-width:",
    ]

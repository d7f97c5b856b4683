"""Every user-facing string is marked for translation, and the catalogues keep up with the code.

1. No template shows text (or a visible attribute such as title, placeholder or aria-label) outside
   ``_()``: the templates are read with their Jinja constructs blanked out, then as HTML.
2. No template prints a prose string constant (``{{ "Publish" if … }}``) outside ``_()``.
3. Every message the code and templates hold (as ``pybabel extract`` finds them) has a non-fuzzy
   Simplified Chinese translation with the same placeholders.
4. The compiled ``.mo`` says exactly what the ``.po`` says (``make translations`` was run).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from meetingapp.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "meetingapp"
TRANSLATIONS = PACKAGE / "translations"
LOCALES = [locale for locale in LANGUAGES if locale != "en"]  # every offered language
# Nothing is exempt: the API's token and docs pages are translated too (the OpenAPI reference
# they show is English content, like the API's own names and messages).
NOT_YET: set[Path] = set()
# Text allowed untranslated: the brand and each language's own name in the switcher.
ALLOWED = {"meetingapp", "English", "中文"}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
METHOD_MAP = [
    ("meetingapp/**.py", "python"),
    ("meetingapp/**/templates/**.html", "jinja2"),
    ("meetingapp/**/templates/**.txt", "jinja2"),
]


def _templates() -> list[Path]:
    found = sorted(PACKAGE.glob("**/templates/**/*.html")) + sorted(
        PACKAGE.glob("**/templates/**/*.txt")
    )
    return [p for p in found if not any(p.is_relative_to(n) for n in NOT_YET)]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- 1. literal text in the markup --------------------------------------------------------------

_JINJA = re.compile(r"{#.*?#}|{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}", re.S)
_LETTER = re.compile(r"[^\W\d_]")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def unmarked_text(source: str, *, html: bool) -> list[str]:
    """Visible words outside Jinja constructs (which are blanked out first)."""
    blank = _JINJA.sub(" ", source)
    if html:
        parser = _VisibleText()
        parser.feed(blank)
        parser.close()
        chunks = parser.chunks
    else:
        chunks = blank.splitlines()
    out = []
    for chunk in chunks:
        words = [w for w in chunk.split() if _LETTER.search(w) and w.strip(".,:;()") not in ALLOWED]
        if words:
            out.append(" ".join(words))
    return out


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_template_has_no_unmarked_text(path):
    found = unmarked_text(path.read_text(), html=path.suffix == ".html")
    assert found == [], f"{_name(path)}: wrap these in _(): {found}"


def test_the_text_check_catches_unmarked_words():
    sample = '<p title="Account">Hello {{ _("World") }}<b>{{ name }}</b> · 3</p>'
    assert unmarked_text(sample, html=True) == ["Account", "Hello"]
    assert unmarked_text('{{ _("Dear %(n)s,", n=n) }}\nsee you', html=False) == ["see you"]


# --- 2. prose constants printed by expressions --------------------------------------------------


def _prose(value: object) -> bool:
    if not isinstance(value, str) or "%" in value or not _LETTER.search(value):
        return False
    return (" " in value.strip() or value[:1].isupper()) and value not in ALLOWED


def _shown_constants(node: nodes.Node):
    """String constants an expression can print (not those inside _() or used as arguments)."""
    if isinstance(node, nodes.Const):
        yield node.value
    elif isinstance(node, nodes.CondExpr):
        yield from _shown_constants(node.expr1)
        if node.expr2 is not None:
            yield from _shown_constants(node.expr2)
    elif isinstance(node, nodes.Or | nodes.And | nodes.Add):
        yield from _shown_constants(node.left)
        yield from _shown_constants(node.right)
    elif isinstance(node, nodes.Concat):
        for child in node.nodes:
            yield from _shown_constants(child)
    elif isinstance(node, nodes.Filter):
        if node.node is not None:
            yield from _shown_constants(node.node)
        if node.name in ("default", "d"):
            for arg in node.args:
                yield from _shown_constants(arg)
    elif isinstance(node, nodes.Call):
        name = node.node.name if isinstance(node.node, nodes.Name) else ""
        if name not in GETTEXT_CALLS and name not in ("url_for", "localise", "ordinal"):
            for arg in [*node.args, *(k.value for k in node.kwargs)]:  # macros, charts
                yield from _shown_constants(arg)
    elif isinstance(node, nodes.List | nodes.Tuple):
        for item in node.items:
            yield from _shown_constants(item)


def unmarked_constants(source: str) -> list[str]:
    tree = Environment(extensions=["jinja2.ext.i18n"]).parse(source)
    found = []
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                found += [v for v in _shown_constants(child) if _prose(v)]
    for loop in tree.find_all(nodes.For):
        found += [v for v in _shown_constants(loop.iter) if _prose(v)]
    return found


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_template_prints_no_unmarked_constant(path):
    found = unmarked_constants(path.read_text())
    assert found == [], f"{_name(path)}: wrap these in _(): {found}"


def test_the_constant_check_catches_unmarked_prose():
    sample = (
        '{{ "Unpublish" if p else _("Publish") }}{{ x or "no limit" }}'
        '{{ url_for("events.index") }}{{ s.kind.value == "speed_networking" }}'
    )
    assert unmarked_constants(sample) == ["Unpublish", "no limit"]


# --- 3 and 4. the catalogues ---------------------------------------------------------------------


def _key(msgid, context):
    return (context or "", msgid if isinstance(msgid, str) else msgid[0])


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str, str], str]:
    """What ``pybabel extract -F babel.cfg`` finds in the sources now: key → first location."""
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        found.setdefault(_key(message, context), f"{filename}:{lineno}")
    return found


def _catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_has_a_translation(locale, extracted):
    catalog = _catalog(locale)
    missing = []
    for key, where in sorted(extracted.items(), key=lambda kv: kv[1]):
        message = catalog.get(key[1], context=key[0] or None)
        strings = (
            []
            if message is None
            else (
                list(message.string)
                if isinstance(message.string, tuple | list)
                else [message.string]
            )
        )
        if message is None or message.fuzzy or not all(strings):
            missing.append(f"{where}: {key[1]!r}")
    assert missing == [], (
        f"{len(missing)} messages lack a {locale} translation "
        f"(run `make translations`, then translate):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale):
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in _catalog(locale).check()
        for error in errors
    ]
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po_file(locale):
    catalog = _catalog(locale)
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    assert _pairs(compiled) == _pairs(m for m in catalog if not m.fuzzy), (
        "the .mo is stale: run `make translations`"
    )


def _pairs(messages) -> dict[tuple[str, str], tuple[str, ...]]:
    def text(value) -> str:
        return value.decode() if isinstance(value, bytes) else value or ""

    return {
        (text(m.context), text(m.id if isinstance(m.id, str | bytes) else m.id[0])): tuple(
            text(s) for s in (m.string if isinstance(m.string, tuple | list) else [m.string])
        )
        for m in messages
        if m.id
    }

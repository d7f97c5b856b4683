"""The official report's attendance paragraph in the six UN languages (issue 22, items 3 and 4).

The paragraph is documentary text in the UN's own style for each language, not interface text: its
six forms live here, reviewed against the seed (A/AC.105/1341, paragraph 43 of the Chinese edition)
and the UN's editions in the other languages, rather than in the interface catalogues.

- Entities are named by their official names in the paragraph's language.
- They are listed in one order in every language, the seed's rule: UN documents keep the English
  original's order in each edition (the Chinese seed is not in pinyin order). That order is each
  entity's report group first (0 unless an organiser sets one: the seed lists CTED last), then its
  English official name alphabetically, leaving out "of", "for", "on", "the" and "and" (so
  "Department of Economic …" comes before "Department for General …", as in the seed).
- Items are joined as that language's UN documents join them: Chinese "；" and "和" before the
  last, ending "。"; English "; " and "; and"; French " ; " and " et"; Spanish "; " and " y";
  Russian "; " and " и"; Arabic "؛ " and "و" joined to the last name.
- The count takes the language's plural form (CLDR, through Babel): Russian one/few/many, Arabic
  one/two/few/many/other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from babel import Locale

# The six official languages, as the interface names its locales.
LANGUAGES = ("ar", "zh_Hans", "en", "fr", "ru", "es")
ENGLISH = "en"

_NBSP = "\u00a0"  # French puts a no-break space before ":" and ";"
_SKIPPED = {"of", "for", "on", "the", "and"}


def official_name(english: str, others: dict[str, str] | None, language: str) -> str:
    """An entity's official name in ``language``: ``others[language]``, else the English one."""
    if language == ENGLISH:
        return english
    return (others or {}).get(language) or english


def english_order(report_group: int, english_name: str) -> tuple[int, tuple[str, ...], str]:
    """Where an entity goes in the paragraph's list (the same in every language)."""
    plain = unicodedata.normalize("NFKD", english_name.casefold())
    words = re.findall(r"\w+", "".join(c for c in plain if not unicodedata.combining(c)))
    return (report_group, tuple(w for w in words if w not in _SKIPPED), english_name)


def join_official(names: Sequence[str], language: str) -> str:
    """The names joined as the language's UN documents join a list of entities."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    head, last = names[:-1], names[-1]
    if language == "zh_Hans":
        return "；".join(head) + "和" + last
    if language == "ar":
        return "؛ ".join(head) + "؛ و" + last
    if language == "fr":
        return f"{_NBSP}; ".join(head) + " et " + last
    if language == "es":
        return "; ".join(head) + " y " + last
    if language == "ru":
        return "; ".join(head) + " и " + last
    return "; ".join(head) + "; and " + last


# Per language and kind of session ("training" or any other), per plural form: the sentence
# with {count} and {names}. A form missing for a language falls back to its "other".
_TRAINING = {
    "zh_Hans": {
        "other": "共有 {count} 名学员获益于此次培训，他们来自以下联合国办事处和实体：{names}。"
    },
    "en": {
        "one": "A total of {count} participant benefited from the training; the participant came "
        "from the following United Nations offices and entities: {names}.",
        "other": "A total of {count} participants benefited from the training; they came from "
        "the following United Nations offices and entities: {names}.",
    },
    "fr": {
        "one": "Au total, {count} participant a bénéficié de la formation ; il venait des "
        "bureaux et entités des Nations Unies suivants : {names}.",
        "other": "Au total, {count} participants ont bénéficié de la formation ; ils venaient des "
        "bureaux et entités des Nations Unies suivants : {names}.",
    },
    "es": {
        "one": "Un total de {count} participante se benefició de la capacitación; procedía de "
        "las siguientes oficinas y entidades de las Naciones Unidas: {names}.",
        "other": "Un total de {count} participantes se beneficiaron de la capacitación; procedían "
        "de las siguientes oficinas y entidades de las Naciones Unidas: {names}.",
    },
    "ru": {
        "one": "В общей сложности обучение прошел {count} участник из следующих подразделений и "
        "структур Организации Объединенных Наций: {names}.",
        "few": "В общей сложности обучение прошли {count} участника из следующих подразделений "
        "и структур Организации Объединенных Наций: {names}.",
        "other": "В общей сложности обучение прошли {count} участников из следующих "
        "подразделений и структур Организации Объединенных Наций: {names}.",
    },
    "ar": {
        "one": "استفاد من التدريب مشارك واحد من مكاتب الأمم المتحدة وكياناتها التالية: {names}.",
        "two": "استفاد من التدريب مشاركان اثنان من مكاتب الأمم المتحدة وكياناتها التالية: {names}.",
        "few": "استفاد من التدريب ما مجموعه {count} مشاركين من مكاتب الأمم المتحدة وكياناتها "
        "التالية: {names}.",
        "many": "استفاد من التدريب ما مجموعه {count} مشاركا من مكاتب الأمم المتحدة وكياناتها "
        "التالية: {names}.",
        "other": "استفاد من التدريب ما مجموعه {count} مشارك من مكاتب الأمم المتحدة وكياناتها "
        "التالية: {names}.",
    },
}
_SESSION = {
    "zh_Hans": {
        "other": "共有 {count} 名与会者出席了此次会议，他们来自以下联合国办事处和实体：{names}。"
    },
    "en": {
        "one": "A total of {count} participant attended the session; the participant came from "
        "the following United Nations offices and entities: {names}.",
        "other": "A total of {count} participants attended the session; they came from the "
        "following United Nations offices and entities: {names}.",
    },
    "fr": {
        "one": "Au total, {count} participant a assisté à la séance ; il venait des bureaux et "
        "entités des Nations Unies suivants : {names}.",
        "other": "Au total, {count} participants ont assisté à la séance ; ils venaient des "
        "bureaux et entités des Nations Unies suivants : {names}.",
    },
    "es": {
        "one": "Un total de {count} participante asistió a la sesión; procedía de las siguientes "
        "oficinas y entidades de las Naciones Unidas: {names}.",
        "other": "Un total de {count} participantes asistieron a la sesión; procedían de las "
        "siguientes oficinas y entidades de las Naciones Unidas: {names}.",
    },
    "ru": {
        "one": "В общей сложности в заседании принял участие {count} участник из следующих "
        "подразделений и структур Организации Объединенных Наций: {names}.",
        "few": "В общей сложности в заседании приняли участие {count} участника из следующих "
        "подразделений и структур Организации Объединенных Наций: {names}.",
        "other": "В общей сложности в заседании приняли участие {count} участников из следующих "
        "подразделений и структур Организации Объединенных Наций: {names}.",
    },
    "ar": {
        "one": "حضر الجلسة مشارك واحد من مكاتب الأمم المتحدة وكياناتها التالية: {names}.",
        "two": "حضر الجلسة مشاركان اثنان من مكاتب الأمم المتحدة وكياناتها التالية: {names}.",
        "few": "حضر الجلسة ما مجموعه {count} مشاركين من مكاتب الأمم المتحدة وكياناتها التالية: "
        "{names}.",
        "many": "حضر الجلسة ما مجموعه {count} مشاركا من مكاتب الأمم المتحدة وكياناتها التالية: "
        "{names}.",
        "other": "حضر الجلسة ما مجموعه {count} مشارك من مكاتب الأمم المتحدة وكياناتها التالية: "
        "{names}.",
    },
}


def official_paragraph(
    language: str, attended: int, names: Sequence[str], *, training: bool = True
) -> str:
    """'共有 21 名学员获益于此次培训，他们来自以下联合国办事处和实体：…。' in ``language``.

    ``names`` are the entities' official names in that language, already in the report's order
    (``english_order``). Empty when nobody attended or no attendee has an entity on record (the
    interface's own attendance sentence says those cases). An unknown language writes English.
    """
    if attended <= 0 or not names:
        return ""
    language = language if language in LANGUAGES else ENGLISH
    forms = (_TRAINING if training else _SESSION)[language]
    form = Locale.parse(language).plural_form(attended)
    text = forms.get(form, forms["other"])
    if language == "fr":
        text = text.replace(" ;", f"{_NBSP};").replace(" :", f"{_NBSP}:")
    return text.format(count=attended, names=join_official(names, language))

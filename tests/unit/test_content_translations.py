"""The text of an event, session or table in the reader's language, else the original."""

import pytest

from meetingapp.domain.content import CONTENT_LANGUAGES, clean_translations, text_in
from meetingapp.domain.errors import ValidationFailed
from meetingapp.i18n import LANGUAGES

FRENCH = {"fr": {"title": "Ressources spatiales"}}


def test_text_in_the_readers_language_when_given():
    assert text_in("Space resources", FRENCH, "fr", "title") == "Ressources spatiales"


def test_text_falls_back_to_the_original_without_that_language_or_field():
    assert text_in("Space resources", FRENCH, "ru", "title") == "Space resources"
    assert text_in("About", FRENCH, "fr", "description") == "About"
    assert text_in("Space resources", {}, "fr", "title") == "Space resources"


def test_content_languages_are_the_interface_languages():
    assert set(CONTENT_LANGUAGES) == set(LANGUAGES)


def test_clean_translations_strips_and_drops_empty_entries():
    cleaned = clean_translations(
        {"fr": {"title": "  Titre ", "description": ""}, "es": {"title": " "}, "ar": None}
    )
    assert cleaned == {"fr": {"title": "Titre"}}


@pytest.mark.parametrize(
    "value", [{"de": {"title": "Titel"}}, {"fr": {"subtitle": "x"}}, {"fr": "Titre"}, ["fr"]]
)
def test_clean_translations_refuses_unknown_languages_and_keys(value):
    with pytest.raises(ValidationFailed):
        clean_translations(value)

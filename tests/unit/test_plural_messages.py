"""Domain messages that count: ``_n`` picks the English form by the count, and each language
its own plural form (Russian three, Arabic six), through ``i18n.localise`` like any message."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from meetingapp.domain.capacity import Availability, OnlineFull, check_online_seat
from meetingapp.domain.i18n import Message, _n
from meetingapp.i18n import init_i18n, localise


@pytest.fixture(scope="module")
def app():
    app = Flask("meetingapp")  # its root: the catalogues in meetingapp/translations
    init_i18n(app)
    return app


def _online_full(capacity: int) -> OnlineFull:
    with pytest.raises(OnlineFull) as refused:
        check_online_seat(hybrid=True, online_capacity=capacity, online_confirmed=capacity)
    return refused.value


def test_english_reads_the_singular_for_one_and_the_plural_otherwise():
    one = _n("%(num)d person waits.", "%(num)d people wait.", 1)
    many = _n("%(num)d person waits.", "%(num)d people wait.", 5)
    assert (str(one), str(many)) == ("1 person waits.", "5 people wait.")
    assert isinstance(one, Message) and one.params == {"num": 1}
    assert str(_online_full(1)) == "The 1 online place is taken; you may still register in person."
    assert (
        str(_online_full(3)) == "All 3 online places are taken; you may still register in person."
    )


@pytest.mark.parametrize(
    ("locale", "counts"),
    [("ru", (1, 3, 5, 21)), ("ar", (0, 1, 2, 3, 11, 100)), ("fr", (1, 2))],
)
def test_each_language_has_its_own_form_per_count(app, locale, counts):
    with app.test_request_context(), force_locale(locale):
        texts = [localise(_online_full(n)) for n in counts]
    for n, text in zip(counts, texts, strict=True):
        assert str(n) in text and "online place" not in text, text
    # Russian 1 / 3 / 5 and Arabic's six categories are different forms of the sentence.
    forms = {text.replace(str(n), "#") for n, text in zip(counts, texts, strict=True)}
    assert len(forms) == len(counts) - (1 if locale == "ru" else 0), texts  # 21 is like 1


def test_a_plural_message_keeps_its_other_values():
    seat = Availability(capacity=None, confirmed=0, waitlisted=0, hybrid=True, online_capacity=1)
    assert str(seat.online_summary()) == "Online: 1 of 1 place left"

"""The rules of a feedback survey's questions and answers, and its summary (no app)."""

from __future__ import annotations

import pytest

from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import ValidationFailed

QUESTIONS = [
    rules.Question(1, rules.RATING, "Useful?", (), True),
    rules.Question(2, rules.SINGLE, "Again?", ("Yes", "No"), False),
    rules.Question(3, rules.MULTIPLE, "Tools?", ("A", "B", "C"), False),
    rules.Question(4, rules.TEXT, "Change?", (), False),
]


def _values(form: dict[str, list[str]]):
    return lambda name: form.get(name, [])


def test_answers_in_range_are_read_and_several_choices_kept_once_each():
    read = rules.read_answers(
        QUESTIONS,
        _values({"q1": ["5"], "q2": ["1"], "q3": ["2", "0", "2"], "q4": ["  Less.\r\nMore. "]}),
    )
    assert read.errors == {}
    assert read.answers == [
        rules.Answer(1, rating=5),
        rules.Answer(2, choice=1),
        rules.Answer(3, choice=0),
        rules.Answer(3, choice=2),
        rules.Answer(4, text="Less.\nMore."),
    ]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"q1": ["6"]}, "q1"),
        ({"q1": ["0"]}, "q1"),
        ({"q1": ["4", "5"]}, "q1"),
        ({"q1": ["4"], "q2": ["2"]}, "q2"),  # no third choice
        ({"q1": ["4"], "q2": ["0", "1"]}, "q2"),  # one choice only
        ({"q1": ["4"], "q3": ["x"]}, "q3"),
        ({"q1": ["4"], "q4": ["x" * (rules.MAX_TEXT + 1)]}, "q4"),
        ({"q4": ["Only text."]}, "q1"),  # the rating is required
    ],
)
def test_a_wrong_or_missing_answer_is_refused_for_its_field(form, field):
    read = rules.read_answers(QUESTIONS, _values(form))
    assert list(read.errors) == [field]


def test_a_required_table_rating_asks_for_each_table_visited():
    question = rules.Question(9, rules.TABLES, "Tables?", (), True)
    tables = [rules.Table(11, "a", "Debris"), rules.Table(12, "b", "Imagery")]
    read = rules.read_answers([question], _values({"q9-t11": ["4"]}), tables)
    assert read.errors == {"q9-t12": "Rate table b."}
    read = rules.read_answers([question], _values({"q9-t11": ["4"], "q9-t12": ["2"]}), tables)
    assert read.answers == [
        rules.Answer(9, rating=4, table_id=11),
        rules.Answer(9, rating=2, table_id=12),
    ]


def test_an_empty_form_is_refused_even_when_nothing_is_required():
    optional = [rules.Question(4, rules.TEXT, "Change?", (), False)]
    assert list(rules.read_answers(optional, _values({})).errors) == ["q4"]


def test_choices_are_one_per_line_trimmed_and_at_least_two():
    data = rules.clean_question(
        rules.SINGLE, "  Come   again? ", " Yes \n\nNo\nYes", False, networking=False
    )
    assert (data.prompt, data.choices) == ("Come again?", ("Yes", "No"))
    with pytest.raises(ValidationFailed, match="at least two choices"):
        rules.clean_question(rules.MULTIPLE, "Which?", "Only\nOnly", False, networking=False)


def test_averages_and_shares_from_ratings_and_from_counts_agree():
    from_rows = rules.rating_distribution([5, 4, 4, 1])
    from_counts = rules.tally_distribution({5: 1, 4: 2, 1: 1})
    assert from_rows.counts == from_counts.counts == [1, 0, 0, 2, 1]
    assert from_rows.average == from_counts.average == 3.5
    assert from_rows.share(3) == 50.0
    assert rules.tally_distribution({}).average is None
    assert rules.response_rate(1, 3) == 33.3 and rules.response_rate(0, 0) is None

"""Feedback surveys: the rules of a question, of a set of answers, of sending, and the summary.

Pure Python. A survey belongs to one session that takes registrations; its questions are a
rating from 1 to 5, one choice, several choices, free text, or (speed networking) one rating per
table the person visited. Answers arrive as form values keyed ``q<question id>`` (and
``q<question id>-t<table id>`` for table ratings); ``read_answers`` checks them against the
questions and returns what to store, or the message for each field that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from meetingapp.domain.errors import DomainError, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import N_, Message, When, _

RATING = "rating"
SINGLE = "single"
MULTIPLE = "multiple"
TEXT = "text"
TABLES = "tables"  # speed networking: one rating per table visited
KINDS = (RATING, SINGLE, MULTIPLE, TEXT, TABLES)
KIND_LABELS = {
    RATING: N_("Rating from 1 to 5"),
    SINGLE: N_("One choice"),
    MULTIPLE: N_("Several choices"),
    TEXT: N_("Free text"),
    TABLES: N_("A rating for each table visited"),
}
RATINGS = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 20
MAX_PROMPT = 300
MAX_CHOICES = 10
MAX_CHOICE = 120
MAX_TEXT = 4000
MAX_INTRO = 2000


class SurveyLocked(DomainError):
    """People have answered: the questions can no longer change."""


class SurveyNotReady(DomainError):
    """The survey cannot be sent (yet): no questions, the session has not ended, cancelled."""


class AlreadyAnswered(DomainError):
    """Each person answers a survey once."""


class AudienceChanged(DomainError):
    """The people to write to changed since the confirmation page counted them."""


class NothingToSend(DomainError):
    """Everyone has been sent it (or has answered) already."""


class ReminderSent(DomainError):
    """A survey has one reminder."""


class NotInvited(PermissionDenied):
    """The survey is for the people checked in to the session who were sent it."""

    code = "not_invited"


LOCKED = N_(
    "People have answered this survey already, so its questions and its mode can no longer "
    "change: the answers given would no longer match them."
)


def check_unlocked(answers: int) -> None:
    if answers:
        raise SurveyLocked(_(LOCKED))


@dataclass(frozen=True)
class QuestionData:
    kind: str
    prompt: str
    choices: tuple[str, ...] = ()
    required: bool = False


def clean_question(
    kind: str, prompt: str, choices_text: str, required: bool, *, networking: bool
) -> QuestionData:
    """A question as the organiser typed it (choices one per line), checked."""
    if kind not in KINDS:
        raise ValidationFailed(_("Choose the kind of question."), field="kind")
    if kind == TABLES and not networking:
        raise ValidationFailed(
            _("A rating per table visited is for speed-networking sessions only."), field="kind"
        )
    prompt = " ".join((prompt or "").split())
    if not prompt:
        raise ValidationFailed(_("Write the question."), field="prompt")
    if len(prompt) > MAX_PROMPT:
        raise ValidationFailed(
            _("At most %(count)s characters in a question.", count=MAX_PROMPT), field="prompt"
        )
    choices: tuple[str, ...] = ()
    if kind in (SINGLE, MULTIPLE):
        lines = [" ".join(line.split()) for line in (choices_text or "").splitlines()]
        choices = tuple(dict.fromkeys(line for line in lines if line))  # in order, once each
        if len(choices) < 2:
            raise ValidationFailed(_("Give at least two choices, one per line."), field="choices")
        if len(choices) > MAX_CHOICES:
            raise ValidationFailed(
                _("At most %(count)s choices.", count=MAX_CHOICES), field="choices"
            )
        if any(len(c) > MAX_CHOICE for c in choices):
            raise ValidationFailed(
                _("At most %(count)s characters in a choice.", count=MAX_CHOICE), field="choices"
            )
    return QuestionData(kind, prompt, choices, bool(required))


def check_room(count: int) -> None:
    if count >= MAX_QUESTIONS:
        raise ValidationFailed(
            _("A survey holds at most %(count)s questions.", count=MAX_QUESTIONS), field="prompt"
        )


def check_sendable(
    *, questions: int, cancelled: bool, ends_at: datetime, now: datetime, ends_local: datetime
) -> None:
    """A survey goes out once the session has ended (``ends_local``: that end in the event's
    zone, for the message), with at least one question."""
    if cancelled:
        raise SurveyNotReady(_("The session is cancelled: there is nobody to ask."))
    if not questions:
        raise SurveyNotReady(_("Add at least one question before sending the survey."))
    if now < ends_at:
        raise SurveyNotReady(
            _(
                "The survey goes out after the session, which ends on %(when)s.",
                when=When(ends_local, "%d %B %Y %H:%M"),
            )
        )


def check_reminder(sent_at: datetime | None, reminded_local: datetime | None) -> None:
    """One reminder, after the survey went out (``reminded_local``: when, in the event's zone)."""
    if sent_at is None:
        raise SurveyNotReady(_("Send the survey before reminding anyone."))
    if reminded_local is not None:
        raise ReminderSent(
            _(
                "The reminder went out on %(when)s: a survey has one reminder only.",
                when=When(reminded_local, "%d %B %Y %H:%M"),
            )
        )


# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What ``read_answers`` needs of a stored question."""

    id: int
    kind: str
    prompt: str
    choices: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Table:
    """A table the respondent visited (speed networking)."""

    id: int
    code: str
    topic: str


@dataclass(frozen=True)
class Answer:
    """One stored answer: a rating (of a table, for TABLES), a choice's index, or text."""

    question_id: int
    rating: int | None = None
    choice: int | None = None
    text: str | None = None
    table_id: int | None = None


@dataclass
class ReadAnswers:
    answers: list[Answer] = field(default_factory=list)
    errors: dict[str, Message] = field(default_factory=dict)  # field name -> message


def field_name(question_id: int, table_id: int | None = None) -> str:
    return f"q{question_id}" if table_id is None else f"q{question_id}-t{table_id}"


def _rating(raw: str) -> int | None:
    return int(raw) if raw in {str(r) for r in RATINGS} else None


def read_answers(
    questions: Sequence[Question],
    values: Callable[[str], list[str]],
    tables: Sequence[Table] = (),
) -> ReadAnswers:
    """Check the submitted ``values`` (``values(name)`` gives a field's values) against the
    questions. A required question must be answered (each table of a TABLES question); an
    answer out of range is refused, never dropped in silence."""
    out = ReadAnswers()
    choose = _("Choose an answer.")
    for q in questions:
        name = field_name(q.id)
        given = [v.strip() for v in values(name) if v.strip()]
        if q.kind == RATING:
            if not given:
                if q.required:
                    out.errors[name] = _("Choose a rating from 1 to 5.")
                continue
            rating = _rating(given[0])
            if rating is None or len(given) > 1:
                out.errors[name] = _("Choose a rating from 1 to 5.")
            else:
                out.answers.append(Answer(q.id, rating=rating))
        elif q.kind in (SINGLE, MULTIPLE):
            if not given:
                if q.required:
                    out.errors[name] = choose if q.kind == SINGLE else _("Choose at least one.")
                continue
            indexes = [int(v) for v in given if v.isdigit() and int(v) < len(q.choices)]
            if len(indexes) != len(given) or (q.kind == SINGLE and len(indexes) > 1):
                out.errors[name] = choose
                continue
            out.answers += [Answer(q.id, choice=i) for i in sorted(set(indexes))]
        elif q.kind == TEXT:
            text = "\n".join((values(name) or [""])[0].replace("\r\n", "\n").splitlines()).strip()
            if not text:
                if q.required:
                    out.errors[name] = _("Write an answer.")
                continue
            if len(text) > MAX_TEXT:
                out.errors[name] = _("At most %(count)s characters.", count=MAX_TEXT)
                continue
            out.answers.append(Answer(q.id, text=text))
        elif q.kind == TABLES:
            for t in tables:
                table_field = field_name(q.id, t.id)
                raw = [v.strip() for v in values(table_field) if v.strip()]
                if not raw:
                    if q.required:
                        out.errors[table_field] = _("Rate table %(code)s.", code=t.code)
                    continue
                rating = _rating(raw[0])
                if rating is None or len(raw) > 1:
                    out.errors[table_field] = _("Choose a rating from 1 to 5.")
                else:
                    out.answers.append(Answer(q.id, rating=rating, table_id=t.id))
    if not out.errors and not out.answers:
        first = questions[0] if questions else None
        out.errors[field_name(first.id) if first else "answers"] = _(
            "Answer at least one question before sending."
        )
    return out


# --- the summary -----------------------------------------------------------------------------


@dataclass
class Distribution:
    """How often each option was chosen (ratings 1–5, or each choice), and the mean rating."""

    labels: list[str]
    counts: list[int]
    answers: int  # people who answered (for MULTIPLE, fewer than the sum of counts)

    @property
    def average(self) -> float | None:
        """The mean rating (ratings only): labels are '1'…'5'."""
        if not self.answers or self.labels != [str(r) for r in RATINGS]:
            return None
        total = sum(int(label) * n for label, n in zip(self.labels, self.counts, strict=True))
        return round(total / sum(self.counts), 2)

    def share(self, i: int) -> float:
        """The share of those who answered who chose option ``i``, in per cent."""
        return round(100 * self.counts[i] / self.answers, 1) if self.answers else 0.0


def rating_distribution(ratings: Sequence[int]) -> Distribution:
    counts = [sum(1 for r in ratings if r == value) for value in RATINGS]
    return Distribution([str(r) for r in RATINGS], counts, len(ratings))


def tally_distribution(counts: Mapping[int, int]) -> Distribution:
    """The same from counts per rating (an anonymous survey's table ratings)."""
    values = [counts.get(value, 0) for value in RATINGS]
    return Distribution([str(r) for r in RATINGS], values, sum(values))


def choice_distribution(
    choices: Sequence[str], picks: Sequence[int], answered: int
) -> Distribution:
    counts = [sum(1 for p in picks if p == i) for i in range(len(choices))]
    return Distribution(list(choices), counts, answered)


def response_rate(answered: int, invited: int) -> float | None:
    """Per cent of the people sent the survey who answered; None before it is sent."""
    return round(100 * answered / invited, 1) if invited else None

"""A survey's results as the reports' views: the summary (one row per option) and the answers
(one row per response), written by ``reports.exports`` as CSV or as XLSX sheets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext

from meetingapp.domain import feedback as rules
from meetingapp.domain.timezones import utc_to_local
from meetingapp.feedback.queries import QuestionResult, Results
from meetingapp.reports.exports import Column, View

VIEWS = ("summary", "answers")


def feedback_views(results: Results) -> list[View]:
    zone = f"({results.session.event.timezone})"
    return [
        View(
            "summary",
            gettext("Feedback summary"),
            [
                Column(gettext("No."), 5),
                Column(gettext("Question"), 50),
                Column(gettext("Kind"), 18),
                Column(gettext("Answers"), 9),
                Column(gettext("Average"), 9),
                Column(gettext("Option"), 40),
                Column(gettext("Count"), 8),
                Column(gettext("Share (%)"), 9),
            ],
            list(_summary_rows(results)),
        ),
        View(
            "answers",
            gettext("Feedback answers"),
            _answer_columns(results, zone),
            list(_answer_rows(results)),
        ),
    ]


def _summary_rows(results: Results) -> Iterable[Sequence]:
    for number, r in enumerate(results.questions, start=1):
        q = r.question
        head = (number, q.prompt, gettext(rules.KIND_LABELS.get(q.kind, q.kind)))
        if r.distribution is not None:
            d = r.distribution
            for i, label in enumerate(d.labels):
                yield (*head, d.answers, d.average, label, d.counts[i], d.share(i))
        elif q.kind == rules.TABLES:
            for t in r.tables:
                d = t.distribution
                label = gettext("Table %(code)s", code=t.code) + f": {t.topic}"
                yield (*head, d.answers, d.average, label, d.answers, None)
        else:
            yield (*head, r.answers, None, "", r.answers, None)


def _table_columns(r: QuestionResult, results: Results) -> list[tuple[int, int, str]]:
    """(question id, table id, code) of the tables rated in this question, in code order."""
    return [(r.question.id, t.id, t.code) for t in results.tables]


def _answer_columns(results: Results, zone: str) -> list[Column]:
    columns = [Column(gettext("Response"), 9)]
    if not results.survey.anonymous:
        columns += [
            Column(gettext("Name"), 26),
            Column(gettext("E-mail"), 30),
            Column(gettext("Answered %(zone)s", zone=zone), 18),
        ]
    for number, r in enumerate(results.questions, start=1):
        if r.question.kind == rules.TABLES:
            if not results.survey.anonymous:  # anonymous table ratings belong to no response
                columns += [
                    Column(gettext("Q%(number)s: table %(code)s", number=number, code=code), 10)
                    for _q, _t, code in _table_columns(r, results)
                ]
        else:
            columns.append(Column(f"Q{number}: {r.question.prompt}", 30))
    return columns


def _answer_rows(results: Results) -> Iterable[Sequence]:
    zone = results.session.event.timezone
    for row in results.responses:
        cells: list = [row.number]
        if not results.survey.anonymous:
            cells += [row.name, row.email, _wall_clock(row.submitted_at, zone)]
        for r in results.questions:
            q = r.question
            if q.kind == rules.TABLES:
                if not results.survey.anonymous:
                    cells += [
                        _number(row.values.get((qid, tid), ""))
                        for qid, tid, _c in _table_columns(r, results)
                    ]
            elif q.kind == rules.RATING:
                cells.append(_number(row.values.get(q.id, "")))
            else:
                cells.append(row.values.get(q.id, ""))
        yield cells


def _number(value: str):
    return int(value) if value.isdigit() else value


def _wall_clock(instant, zone: str):
    """Excel has no time zones: the event's wall-clock time (the header names the zone)."""
    if instant is None:
        return None
    return utc_to_local(instant, zone).replace(tzinfo=None, second=0, microsecond=0)

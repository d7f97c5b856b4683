"""Attendance reports per event and per session: HTML with SVG charts, CSV and XLSX downloads."""

from __future__ import annotations

from io import BytesIO

from flask import abort, redirect, render_template, send_file, url_for
from flask_babel import gettext

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.extensions import db
from meetingapp.feedback.queries import survey_results
from meetingapp.models import EventSession
from meetingapp.reports import bp, exports
from meetingapp.reports import queries as svc
from meetingapp.reports.charts import Series, bar_chart


@bp.context_processor
def chart_helpers() -> dict:
    return {"bar_chart": bar_chart, "Series": Series, "csv_views": exports.VIEWS}


def _download(data: bytes, name: str, mimetype: str):
    return send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )


def _csv_view(views: list[exports.View], name: str) -> exports.View:
    view = next((v for v in views if v.name == name), None)
    if view is None:
        abort(
            404,
            gettext(
                "There is no “%(name)s” view: choose one of %(views)s.",
                name=name,
                views=", ".join(exports.VIEWS),
            ),
        )
    return view


def _part_to_day(session_id: int) -> int | None:
    """A training-day part reports as its day: the day's id, or None when it is no part."""
    session = db.session.get(EventSession, session_id)
    return session.parent_id if session is not None else None


@bp.get("/events/<int:event_id>")
@organiser_required
def event(event_id: int):
    report = svc.event_report(event_id)
    return render_template("reports/event.html", report=report, now=clock.now())


@bp.get("/events/<int:event_id>/report.xlsx")
@organiser_required
def event_xlsx(event_id: int):
    report = svc.event_report(event_id)
    return _download(
        exports.write_xlsx(exports.event_views(report)),
        exports.filename(report.event.title, "report", ext="xlsx"),
        exports.XLSX_MIME,
    )


@bp.get("/events/<int:event_id>/<view>.csv")
@organiser_required
def event_csv(event_id: int, view: str):
    report = svc.event_report(event_id)
    chosen = _csv_view(exports.event_views(report), view)
    return _download(
        exports.write_csv(chosen), exports.filename(report.event.title, view, ext="csv"), "text/csv"
    )


@bp.get("/sessions/<int:session_id>")
@organiser_required
def session(session_id: int):
    day = _part_to_day(session_id)
    if day is not None:
        return redirect(url_for(".session", session_id=day))
    report = svc.session_report(session_id)
    return render_template(
        "reports/session.html",
        report=report,
        event=report.session.event,
        now=clock.now(),
        feedback=survey_results(report.session),
    )


@bp.get("/sessions/<int:session_id>/report.xlsx")
@organiser_required
def session_xlsx(session_id: int):
    report = svc.session_report(session_id)
    name = exports.filename(report.session.event.title, report.session.title, ext="xlsx")
    return _download(exports.write_xlsx(exports.session_views(report)), name, exports.XLSX_MIME)


@bp.get("/sessions/<int:session_id>/<view>.csv")
@organiser_required
def session_csv(session_id: int, view: str):
    report = svc.session_report(session_id)
    chosen = _csv_view(exports.session_views(report), view)
    name = exports.filename(report.session.event.title, report.session.title, view, ext="csv")
    return _download(exports.write_csv(chosen), name, "text/csv")

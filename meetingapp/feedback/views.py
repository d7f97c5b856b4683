"""The organiser's pages: build the survey, send it (asking first), remind once, download."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import ValidationFailed
from meetingapp.feedback import bp, exports, queries, service
from meetingapp.feedback.forms import QuestionForm, SettingsForm
from meetingapp.i18n import localise
from meetingapp.models import SessionKind
from meetingapp.reports import exports as report_exports
from meetingapp.web import flash_refusal


def _session(session_id: int):
    return queries.survey_session(session_id, current_user)


def _to_editor(session_id: int, **_kwargs) -> str:
    return url_for(".editor", session_id=_session(session_id).id)


def _day_redirect(session_id: int, endpoint: str):
    """A training day's part is surveyed through its day: None, or the redirect to the day."""
    session = _session(session_id)
    if session.id != session_id:
        return redirect(url_for(endpoint, session_id=session.id))
    return None


def _question_id() -> int | None:
    raw = request.values.get("question", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _confirmed() -> bool:
    return request.form.get("confirmed") == "yes"


def _expected() -> int:
    raw = request.form.get("expected", "")
    return int(raw) if raw.isdigit() and len(raw) < 8 else -1


def _editor(session, settings: SettingsForm, question: QuestionForm, status: int = 200):
    state = queries.editor_state(session)
    return render_template(
        "feedback/editor.html",
        state=state,
        session=session,
        event=session.event,
        settings=settings,
        question=question,
        kind_labels=rules.KIND_LABELS,
        now=clock.now(),
    ), status


def _question_form(session, formdata=None) -> QuestionForm:
    form = QuestionForm(formdata=formdata)
    form.set_kinds(networking=session.kind == SessionKind.SPEED_NETWORKING)
    return form


@bp.get("/sessions/<int:session_id>")
@organiser_required
def editor(session_id: int):
    moved = _day_redirect(session_id, ".editor")
    if moved:
        return moved
    session = _session(session_id)
    survey = queries.survey_of(session.id)
    settings = SettingsForm(formdata=None)
    settings.mode.data = "named" if survey is not None and not survey.anonymous else "anonymous"
    settings.intro.data = survey.intro if survey is not None else ""
    return _editor(session, settings, _question_form(session))


@bp.post("/sessions/<int:session_id>")
@organiser_required
@flash_refusal(_to_editor)
def save_settings(session_id: int):
    session = _session(session_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _editor(session, form, _question_form(session), 422)
    try:
        service.save_settings(
            session_id=session.id,
            anonymous=form.mode.data == "anonymous",
            intro=form.intro.data or "",
            actor=current_user,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        form.intro.errors.append(localise(exc))
        return _editor(session, form, _question_form(session), 422)
    flash(gettext("The survey's settings are saved."), "success")
    return redirect(url_for(".editor", session_id=session.id), 303)


@bp.post("/sessions/<int:session_id>/questions")
@organiser_required
@flash_refusal(_to_editor)
def add_question(session_id: int):
    session = _session(session_id)
    form = _question_form(session, request.form)
    settings = SettingsForm(formdata=None)
    if not form.validate_on_submit():
        return _editor(session, settings, form, 422)
    try:
        service.add_question(
            session_id=session.id,
            kind=form.kind.data,
            prompt=form.prompt.data,
            choices_text=form.choices.data or "",
            required=form.required.data,
            actor=current_user,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        field = getattr(form, exc.field or "", None) or form.prompt
        field.errors.append(localise(exc))
        return _editor(session, settings, form, 422)
    flash(gettext("The question is added."), "success")
    return redirect(url_for(".editor", session_id=session.id, _anchor="questions-h"), 303)


@bp.post("/sessions/<int:session_id>/questions/move")
@organiser_required
@flash_refusal(_to_editor)
def move_question(session_id: int):
    session = _session(session_id)
    service.move_question(
        session_id=session.id,
        question_id=_question_id(),
        direction=request.form.get("direction", ""),
        actor=current_user,
        now=clock.now(),
    )
    return redirect(url_for(".editor", session_id=session.id, _anchor="questions-h"), 303)


@bp.get("/sessions/<int:session_id>/questions/remove")
@organiser_required
def confirm_remove_question(session_id: int):
    session = _session(session_id)
    survey = queries.survey_of(session.id)
    question = next(
        (q for q in (survey.questions if survey else []) if q.id == _question_id()), None
    )
    if question is None:
        return redirect(url_for(".editor", session_id=session.id), 303)
    return render_template(
        "feedback/confirm_remove.html",
        session=session,
        question=question,
        state=queries.editor_state(session),
        kind_labels=rules.KIND_LABELS,
    )


@bp.post("/sessions/<int:session_id>/questions/remove")
@organiser_required
@flash_refusal(_to_editor)
def remove_question(session_id: int):
    session = _session(session_id)
    if not _confirmed():
        return redirect(
            url_for(".confirm_remove_question", session_id=session.id, question=_question_id()),
            303,
        )
    prompt = service.remove_question(
        session_id=session.id, question_id=_question_id(), actor=current_user, now=clock.now()
    )
    flash(gettext("“%(prompt)s” is removed.", prompt=prompt), "success")
    return redirect(url_for(".editor", session_id=session.id, _anchor="questions-h"), 303)


@bp.get("/sessions/<int:session_id>/send")
@organiser_required
def confirm_send(session_id: int):
    session = _session(session_id)
    state = queries.editor_state(session)
    invited = queries.invited_user_ids(state.survey.id) if state.survey else set()
    people = queries.people(queries.present_user_ids(session) - invited)
    return render_template(
        "feedback/confirm_send.html",
        session=session,
        event=session.event,
        state=state,
        people=people,
        now=clock.now(),
    )


@bp.post("/sessions/<int:session_id>/send")
@organiser_required
@flash_refusal(_to_editor)
def send(session_id: int):
    return _mail_once_confirmed(
        session_id,
        ".confirm_send",
        service.send_survey,
        lambda count: ngettext(
            "The survey is on its way to %(num)d person.",
            "The survey is on its way to %(num)d people.",
            count,
        ),
    )


def _mail_once_confirmed(
    session_id: int, confirm_page: str, send_mail: Callable[..., int], said: Callable[[int], str]
):
    """Send or remind: ask on ``confirm_page`` first; once confirmed, ``send_mail`` to the count
    the organiser saw (``expected``) and say how many it went to."""
    session = _session(session_id)
    if not _confirmed():
        return redirect(url_for(confirm_page, session_id=session.id), 303)
    count = send_mail(
        session_id=session.id, expected=_expected(), actor=current_user, now=clock.now()
    )
    flash(said(count), "success")
    return redirect(url_for(".editor", session_id=session.id), 303)


@bp.get("/sessions/<int:session_id>/remind")
@organiser_required
def confirm_remind(session_id: int):
    session = _session(session_id)
    state = queries.editor_state(session)
    invites = queries.unanswered_invites(state.survey.id) if state.survey else []
    return render_template(
        "feedback/confirm_remind.html",
        session=session,
        event=session.event,
        state=state,
        people=queries.people({i.user_id for i in invites}),
    )


@bp.post("/sessions/<int:session_id>/remind")
@organiser_required
@flash_refusal(_to_editor)
def remind(session_id: int):
    return _mail_once_confirmed(
        session_id,
        ".confirm_remind",
        service.send_reminder,
        lambda count: ngettext(
            "The reminder is on its way to %(num)d person.",
            "The reminder is on its way to %(num)d people.",
            count,
        ),
    )


@bp.get("/sessions/<int:session_id>/delete")
@organiser_required
def confirm_delete(session_id: int):
    session = _session(session_id)
    state = queries.editor_state(session)
    if state.survey is None:
        return redirect(url_for(".editor", session_id=session.id), 303)
    return render_template(
        "feedback/confirm_delete.html", session=session, event=session.event, state=state
    )


@bp.post("/sessions/<int:session_id>/delete")
@organiser_required
@flash_refusal(_to_editor)
def delete(session_id: int):
    session = _session(session_id)  # an unknown session is a 404, asked or not
    if not _confirmed():
        return redirect(url_for(".confirm_delete", session_id=session.id), 303)
    answered = service.delete_survey(session_id=session.id, actor=current_user, now=clock.now())
    flash(
        ngettext(
            "The survey is deleted, with the %(num)d answer it had.",
            "The survey is deleted, with the %(num)d answers it had.",
            answered,
        )
        if answered
        else gettext("The survey is deleted."),
        "success",
    )
    return redirect(url_for("reports.session", session_id=session.id), 303)


# --- downloads (the reports' writers) ---------------------------------------------------------


def _results(session_id: int):
    session = _session(session_id)
    results = queries.survey_results(session)
    if results is None:
        abort(404, gettext("There is no feedback survey for this session."))
    return results


def _download(data: bytes, name: str, mimetype: str):
    return send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )


@bp.get("/sessions/<int:session_id>/results.xlsx")
@organiser_required
def results_xlsx(session_id: int):
    results = _results(session_id)
    name = report_exports.filename(
        results.session.event.title, results.session.title, "feedback", ext="xlsx"
    )
    data = report_exports.write_xlsx(exports.feedback_views(results))
    return _download(data, name, report_exports.XLSX_MIME)


@bp.get("/sessions/<int:session_id>/<view>.csv")
@organiser_required
def results_csv(session_id: int, view: str):
    results = _results(session_id)
    chosen = next((v for v in exports.feedback_views(results) if v.name == view), None)
    if chosen is None:
        abort(
            404,
            gettext(
                "There is no “%(name)s” view: choose one of %(views)s.",
                name=view,
                views=", ".join(exports.VIEWS),
            ),
        )
    name = report_exports.filename(
        results.session.event.title, results.session.title, "feedback", view, ext="csv"
    )
    return _download(report_exports.write_csv(chosen), name, "text/csv")

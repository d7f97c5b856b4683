"""Check-in from a phone: a searchable list with one button per person, QR codes and walk-ins."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.checkin import bp
from meetingapp.checkin import service as svc
from meetingapp.checkin.forms import CodeForm, WalkInForm
from meetingapp.checkin.queries import check_in_sheet, default_round
from meetingapp.domain.errors import DomainError
from meetingapp.i18n import content, localise
from meetingapp.models import EventSession, SessionKind
from meetingapp.models.event import visible_session
from meetingapp.models.organisation import all_organisations
from meetingapp.models.user import user_by_email


def _session(session_id: int) -> EventSession:
    return visible_session(session_id, current_user)


def _round(session: EventSession, raw: str | None) -> int | None:
    """The round from the form or query (numbered from 1 there, from 0 inside)."""
    if session.kind != SessionKind.SPEED_NETWORKING:
        return None
    if not raw:
        return default_round(session, clock.now())
    count = session.round_count or 0
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= count:
        abort(400, gettext("Choose a round between 1 and %(count)s.", count=count))
    return int(raw) - 1


def _page_url(session: EventSession, round_number: int | None, q: str, user_id: int | None = None):
    return url_for(
        ".page",
        session_id=session.id,
        q=q or None,
        round=None if round_number is None else round_number + 1,
        _anchor=f"p-{user_id}" if user_id else None,
    )


def _render(
    session: EventSession,
    round_number: int | None,
    q: str,
    status: int = 200,
    *,
    code_form: CodeForm | None = None,
    walk_in_form: WalkInForm | None = None,
    error: str = "",
):
    sheet = check_in_sheet(
        session_id=session.id,
        actor=current_user,
        now=clock.now(),
        round_number=round_number,
        query=q,
    )
    return render_template(
        "checkin/page.html",
        sheet=sheet,
        session=session,
        event=session.event,
        q=q,
        round_number=round_number,
        code_form=code_form or CodeForm(formdata=None),
        walk_in_form=walk_in_form or _walk_in_form(formdata=None),
        error=error,
    ), status


def _posted() -> tuple[EventSession, int | None, str]:
    session = _session(request.view_args["session_id"])
    session = session.parent or session
    return session, _round(session, request.form.get("round")), request.form.get("q", "")[:100]


def _refused(session: EventSession, round_number: int | None, q: str, exc: DomainError):
    """Show the page again with the reason and the refusal's status; nothing was saved."""
    return _render(session, round_number, q, exc.status_code, error=localise(exc))


@bp.get("/sessions/<int:session_id>")
@login_required
def page(session_id: int):
    session = _session(session_id)
    if session.parent_id is not None:  # a training day's parts are attended through the day
        return redirect(url_for(".page", session_id=session.parent_id))
    return _render(
        session, _round(session, request.args.get("round")), request.args.get("q", "")[:100]
    )


@bp.post("/sessions/<int:session_id>/people/<int:user_id>/check-in")
@login_required
def check_in(session_id: int, user_id: int):
    session, round_number, q = _posted()
    try:
        entry = svc.check_in(
            session_id=session.id,
            user_id=user_id,
            actor=current_user,
            now=clock.now(),
            round_number=round_number,
        )
    except DomainError as exc:
        return _refused(session, round_number, q, exc)
    flash(gettext("%(name)s is checked in.", name=entry.user.name), "success")
    return redirect(_page_url(session, round_number, q, user_id), 303)


@bp.post("/sessions/<int:session_id>/people/<int:user_id>/undo")
@login_required
def undo(session_id: int, user_id: int):
    session, round_number, q = _posted()
    try:
        entry = svc.undo_check_in(
            session_id=session.id,
            user_id=user_id,
            actor=current_user,
            now=clock.now(),
            round_number=round_number,
        )
    except DomainError as exc:
        return _refused(session, round_number, q, exc)
    flash(gettext("Check-in of %(name)s undone.", name=entry.user.name), "success")
    return redirect(_page_url(session, round_number, q, user_id), 303)


@bp.post("/sessions/<int:session_id>/code")
@login_required
def by_code(session_id: int):
    session, round_number, q = _posted()
    form = CodeForm()
    if not form.validate_on_submit():
        return _render(
            session,
            round_number,
            q,
            422,
            code_form=form,
            error=gettext("Check the check-in code below."),
        )
    try:
        entry = svc.check_in_by_code(
            session_id=session.id,
            code=form.code.data,
            secret_key=current_app.config["SECRET_KEY"],
            actor=current_user,
            now=clock.now(),
            round_number=round_number,
        )
    except DomainError as exc:
        return _refused(session, round_number, q, exc)
    flash(gettext("%(name)s is checked in (QR code).", name=entry.user.name), "success")
    return redirect(_page_url(session, round_number, q, entry.user_id), 303)


@bp.post("/sessions/<int:session_id>/walk-in")
@organiser_required
def walk_in(session_id: int):
    session, round_number, q = _posted()
    form = _walk_in_form()
    if not form.validate_on_submit():
        return _render(
            session,
            round_number,
            q,
            422,
            walk_in_form=form,
            error=gettext("Check the walk-in form below."),
        )
    person = user_by_email(form.email.data)
    if person is None and not (form.name.data or "").strip():
        form.name.errors.append(
            gettext("No account has this e-mail address: give their name to make one.")
        )
        return _render(
            session,
            round_number,
            q,
            422,
            walk_in_form=form,
            error=gettext("Check the walk-in form below."),
        )
    try:
        entry = svc.walk_in_person(
            session_id=session.id,
            email=form.email.data,
            name=form.name.data or "",
            organisation_id=form.organisation.data or None,
            actor=current_user,
            now=clock.now(),
            override=form.override.data,
            round_number=round_number,
        )
    except DomainError as exc:
        return _refused(session, round_number, q, exc)
    flash(
        gettext(
            "%(name)s is registered for “%(title)s” and checked in (walk-in).",
            name=entry.user.name,
            title=content(session),
        ),
        "success",
    )
    return redirect(_page_url(session, round_number, q, entry.user_id), 303)


def _walk_in_form(**kwargs) -> WalkInForm:
    form = WalkInForm(**kwargs)
    form.organisation.choices = [(0, gettext("— none —"))] + [
        (o.id, o.label) for o in all_organisations()
    ]
    return form

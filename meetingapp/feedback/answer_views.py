"""The respondent's page: answer once, from the mailed link (no log-in) or signed in.

The mailed link carries a signed token (``accounts.links.feedback_token``) naming the survey and
the person; without a valid one the visitor logs in. Organisers who were not sent the survey see
the page as a preview and cannot answer.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.accounts.links import read_feedback_token
from meetingapp.domain import feedback as rules
from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db, login_manager
from meetingapp.feedback import bp, queries, service
from meetingapp.feedback.forms import AnswerForm
from meetingapp.i18n import localise
from meetingapp.models import User
from meetingapp.web import flash_refusal


def _token() -> str:
    return request.args.get("k", "")[:400]


def _token_holder(session_id: int) -> User | None:
    """The person a valid token for this session's survey names, whoever is signed in."""
    token = _token()
    if not token:
        return None
    claim = read_feedback_token(current_app.config["SECRET_KEY"], token, clock.now())
    survey = queries.survey_of(session_id) if claim else None
    if claim is None or survey is None or survey.id != claim.survey_id:
        return None
    return db.session.get(User, claim.user_id)


def _respondent(session_id: int):
    """(the person answering, the token to keep in the form's URL); None when a log-in is
    needed."""
    person = _token_holder(session_id)
    if person is not None:
        return person, _token()
    if _token() and not current_user.is_authenticated:
        flash(gettext("This link has expired or is not valid: log in to answer."), "info")
    if current_user.is_authenticated:
        return current_user._get_current_object(), ""
    return None


def _page(session, survey, person, token, *, errors=None, values=None, status=200):
    invite = queries.invite_of(survey.id, person.id)
    preview = invite is None
    return render_template(
        "feedback/answer.html",
        session=session,
        event=session.event,
        survey=survey,
        person=person,
        token=token,
        preview=preview,
        answered=bool(invite and invite.answered),
        own=queries.own_answers(survey, person.id) if invite and invite.answered else [],
        tables=queries.visited_tables(session, person.id),
        errors=errors or {},
        values=values,
        form=AnswerForm(),
        field_name=rules.field_name,
        ratings=rules.RATINGS,
        kinds=rules,
    ), status


def _open(session_id: int):
    """The session, its sent survey and the respondent; raises for what the person may not see."""
    found = _respondent(session_id)
    if found is None:
        return None
    person, token = found
    session = queries.survey_session(session_id, person)
    survey = queries.survey_of(session.id)
    organiser = can_manage(person)
    if survey is None or (survey.sent_at is None and not organiser):
        raise NotFound(_("There is no feedback survey for this session yet."))
    if not organiser and queries.invite_of(survey.id, person.id) is None:
        raise rules.NotInvited(
            _("This survey is for the people who were checked in to the session.")
        )
    return session, survey, person, token


@bp.get("/sessions/<int:session_id>/answer")
def answer(session_id: int):
    opened = _open(session_id)
    if opened is None:
        return login_manager.unauthorized()
    return _page(*opened)


def _back(session_id: int, **_kwargs) -> str:
    """The answer page; raises NotFound when the session is unknown or hidden (a 404, not a
    redirect to a page that would be one)."""
    queries.survey_session(session_id, _token_holder(session_id) or current_user)
    token = _token()
    return url_for(".answer", session_id=session_id, **({"k": token} if token else {}))


@bp.post("/sessions/<int:session_id>/answer")
@flash_refusal(_back)
def submit(session_id: int):
    opened = _open(session_id)
    if opened is None:
        return login_manager.unauthorized()
    session, survey, person, token = opened
    if queries.invite_of(survey.id, person.id) is None:
        flash(gettext("This is a preview: organisers who were not sent the survey cannot answer."))
        return redirect(_back(session.id), 303)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(*opened, status=400)
    try:
        service.submit_answers(
            session_id=session.id, respondent=person, values=request.form.getlist, now=clock.now()
        )
    except service.AnswersRefused as exc:
        db.session.rollback()
        errors = {name: localise(message) for name, message in exc.errors.items()}
        return _page(*opened, errors=errors, values=request.form, status=422)
    flash(gettext("Thank you: your answers are in."), "success")
    return redirect(_back(session.id), 303)

"""Seating rules on the pages: the organiser's list on the planning page (who stays at one
table, pairs kept apart or together) and the participant's own request on the picks page."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.extensions import db
from meetingapp.i18n import localise
from meetingapp.models import User
from meetingapp.models.event import visible_networking_session
from meetingapp.rotation import bp
from meetingapp.rotation import rules as svc
from meetingapp.rotation.forms import PairForm, StayForm
from meetingapp.rotation.queries import KINDS, my_picks, stored_rules
from meetingapp.rotation.views import _picks_page
from meetingapp.web import flash_refusal


def _to_rules(session_id: int, **_kwargs) -> str:
    session = visible_networking_session(session_id, current_user)
    return url_for(".plan", session_id=session.id, _anchor="rules")


def _name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.name if user is not None else f"#{user_id}"


@bp.post("/sessions/<int:session_id>/rules")
@organiser_required
@flash_refusal(_to_rules)
def rules(session_id: int):
    session = visible_networking_session(session_id, current_user)
    current = stored_rules(session.id)
    stays = list(current.stays_at_one_table)
    pairs = {kind: list(current.pairs(kind)) for kind in KINDS}
    op = request.form.get("op", "")
    if op == "stay":
        form = StayForm(prefix="stay")
        if not form.validate_on_submit():
            abort(400, gettext("Choose a participant."))
        stays.append(form.participant.data)
        said = gettext(
            "%(name)s stays at one table in every round.", name=_name(form.participant.data)
        )
    elif op == "pair":
        form = PairForm(prefix="pair")
        if not form.validate_on_submit():
            abort(400, gettext("Choose two people and a rule."))
        first, second, kind = form.first.data, form.second.data, form.kind.data
        pairs[kind].append((first, second))
        said = _pair_said(kind, _name(first), _name(second))
    elif match := re.fullmatch(r"unstay:([0-9]{1,9})", op):
        user_id = int(match.group(1))
        stays = [u for u in stays if u != user_id]
        said = gettext("%(name)s moves between tables again.", name=_name(user_id))
    elif match := re.fullmatch(r"unpair:(apart|together):([0-9]{1,9}):([0-9]{1,9})", op):
        kind, first, second = match.group(1), int(match.group(2)), int(match.group(3))
        pairs[kind] = [p for p in pairs[kind] if p != (first, second)]
        said = gettext(
            "The pair %(first)s and %(second)s is removed.",
            first=_name(first),
            second=_name(second),
        )
    else:
        abort(400, gettext("Choose a rule to add or remove."))
    svc.save_seating_rules(
        session_id=session.id,
        stays_at_one_table=stays,
        apart=pairs["apart"],
        together=pairs["together"],
        actor=current_user,
        now=clock.now(),
    )
    flash(said, "success")
    return redirect(_to_rules(session_id))


def _pair_said(kind: str, first: str, second: str) -> str:
    if kind == "apart":
        return gettext(
            "%(first)s and %(second)s are kept apart: never at one table.",
            first=first,
            second=second,
        )
    return gettext(
        "%(first)s and %(second)s sit together in every round.", first=first, second=second
    )


@bp.post("/sessions/<int:session_id>/seating-need")
@login_required
def seating_need(session_id: int):
    """The participant's own request to stay at one table (or to move again)."""
    session = visible_networking_session(session_id, current_user)
    wanted = request.form.get("stays")
    if wanted not in ("yes", "no"):
        abort(400, gettext("Say whether you need to stay at one table."))
    try:
        stays = svc.set_own_seating_need(
            user=current_user, session_id=session.id, stays=wanted == "yes", now=clock.now()
        )
    except DomainError as exc:
        flash(localise(exc), "error")
        return _picks_page(session, my_picks(session.id, current_user.id), exc.status_code)
    flash(
        gettext("You stay at one table in every round; the organisers see that you asked.")
        if stays
        else gettext("You move between tables again, like everyone else."),
        "success",
    )
    return redirect(url_for(".picks", session_id=session.id, _anchor="seating"), 303)

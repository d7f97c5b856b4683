"""The live pages: the organiser's run console, the room board, "now / next" on the phone."""

from __future__ import annotations

import re

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, gettext, ngettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.checkin.qr import qr_svg
from meetingapp.domain import live as rules
from meetingapp.domain.i18n import N_
from meetingapp.extensions import db
from meetingapp.i18n import LANGUAGES, content
from meetingapp.live import bp, service
from meetingapp.live.api import sse_response
from meetingapp.live.queries import hosted_table_ids, present_in_round, seating
from meetingapp.live.streams import heartbeat_seconds
from meetingapp.models.event import visible_networking_session
from meetingapp.models.user import user_by_email
from meetingapp.web import flash_refusal

ACTION_DONE = {
    "start": N_("The session has started: round 1."),
    "next": N_("On to the next phase."),
    "pause": N_("Paused."),
    "resume": N_("Resumed."),
    "extend": N_("The phase is extended."),
    "end": N_("The session has ended."),
}


def _to_console(session_id: int, **_kwargs) -> str:
    return url_for(".console", session_id=visible_networking_session(session_id, current_user).id)


def _clock_data(snap: service.Snapshot, session) -> dict:
    """What live.js needs to keep the clock running between events (and without them)."""
    timing = service.timing_of(session)
    return snap.as_json() | {
        "warning_seconds": rules.WARNING_SECONDS,
        "heartbeat_seconds": heartbeat_seconds(current_app),
        "round_seconds": timing.round_seconds,
        "move_seconds": timing.move_seconds,
    }


def clock_labels() -> dict:
    """The words live.js shows, in the page's language."""
    return {
        rules.WAITING: gettext("Not started yet"),
        rules.TALKING: gettext("Talking"),
        rules.MOVING: gettext("Move now"),
        rules.PAUSED: gettext("Paused"),
        rules.FINISHED: gettext("Finished"),
        "warning": gettext("2 minutes left"),
        "round": gettext("Round {n} of {of}"),
        "page": gettext("Page {n} of {of}"),
        "board_round": gettext("Where to sit in round {n}"),
    }


@bp.get("/sessions/<int:session_id>")
@organiser_required
def console(session_id: int):
    service.live_row(session_id, current_user, clock.now())
    session = visible_networking_session(session_id, current_user)
    snap = service.snapshot(session_id, clock.now())
    state = snap.state
    current = rules.seated_round(state)
    seats = seating(session)
    row = db.session.get(service.LiveSession, session_id)
    return render_template(
        "live/console.html",
        session=session,
        snap=snap,
        clock_data=_clock_data(snap, session),
        labels=clock_labels(),
        current=current,
        upcoming=rules.upcoming_round(state, service.timing_of(session)),
        first_open=rules.first_open_round(state),
        seats=seats.alphabetical(current),
        present=present_in_round(session, current),
        absent=service.absent_ids(session_id),
        board_url=url_for(".board", token=row.board_token, _external=True),
        board_locale=row.board_locale or "",
        languages=LANGUAGES,
    )


@bp.post("/sessions/<int:session_id>/act")
@organiser_required
@flash_refusal(_to_console)
def act(session_id: int):
    action = request.form.get("action", "")
    raw = request.form.get("minutes", "")
    minutes = int(raw) if re.fullmatch(r"[0-9]{1,3}", raw) else None
    service.perform(
        session_id=session_id, action=action, minutes=minutes, actor=current_user, now=clock.now()
    )
    flash(gettext(ACTION_DONE[action]), "success")
    return redirect(_to_console(session_id), 303)


def _round_field() -> int:
    raw = request.form.get("round", "")
    if not re.fullmatch(r"[0-9]{1,3}", raw):
        abort(400, gettext("Choose a round."))
    return int(raw) - 1


@bp.post("/sessions/<int:session_id>/absent/<int:user_id>")
@login_required
def absent(session_id: int, user_id: int):
    """Mark someone absent (or present again); organisers on the console, hosts on the phone."""
    service.absence_marker(session_id, current_user)  # who may, before what was sent
    service.mark_absent(
        session_id=session_id,
        user_id=user_id,
        round_number=_round_field(),
        absent=request.form.get("absent", "1") == "1",
        actor=current_user,
        now=clock.now(),
    )
    if request.form.get("back") == "phone":
        flash(gettext("Saved: the organisers see it on their console."), "success")
        return redirect(url_for(".phone", session_id=session_id), 303)
    flash(gettext("Saved: re-plan the rounds left to seat people anew."), "success")
    return redirect(_to_console(session_id), 303)


@bp.post("/sessions/<int:session_id>/absent-from-check-in")
@organiser_required
@flash_refusal(_to_console)
def absent_from_check_in(session_id: int):
    service.absence_marker(session_id, current_user)  # an unknown session is a 404 first
    count = service.absences_from_check_in(
        session_id=session_id, round_number=_round_field(), actor=current_user, now=clock.now()
    )
    flash(
        ngettext(
            "%(num)d person not checked in is marked absent.",
            "%(num)d people not checked in are marked absent.",
            count,
        ),
        "success",
    )
    return redirect(_to_console(session_id), 303)


@bp.post("/sessions/<int:session_id>/replan")
@organiser_required
@flash_refusal(_to_console)
def replan(session_id: int):
    done = service.replan_remaining(session_id=session_id, actor=current_user, now=clock.now())
    flash(
        gettext(
            "Rounds %(first)s onwards are re-planned: %(count)s people have a new table; their "
            "phones show it now.",
            first=done.from_round + 1,
            count=len(done.moved),
        ),
        "success",
    )
    return redirect(_to_console(session_id), 303)


@bp.post("/sessions/<int:session_id>/walk-in")
@organiser_required
@flash_refusal(_to_console)
def walk_in(session_id: int):
    person = user_by_email(request.form.get("email", "")[:254])
    if person is None:
        flash(gettext("No account has this e-mail address."), "error")
        return redirect(_to_console(session_id), 303)
    done = service.seat_walk_in(
        session_id=session_id, user=person, actor=current_user, now=clock.now()
    )
    flash(
        gettext(
            "%(name)s is registered and seated from round %(first)s.",
            name=person.name,
            first=done.from_round + 1,
        ),
        "success",
    )
    return redirect(_to_console(session_id), 303)


@bp.post("/sessions/<int:session_id>/board-language")
@organiser_required
@flash_refusal(_to_console)
def board_language(session_id: int):
    chosen = request.form.get("locale", "")
    if chosen and chosen not in LANGUAGES:
        abort(400, gettext("Choose one of the offered languages."))
    service.set_board_locale(
        session_id=session_id, locale=chosen, actor=current_user, now=clock.now()
    )
    flash(gettext("The board's language is saved."), "success")
    return redirect(_to_console(session_id), 303)


# --- the room board (a projector, by secret link) ------------------------------------------


@bp.get("/board/<token>")
def board(token: str):
    session, row = service.session_for_board(token)
    snap = service.snapshot(session.id, clock.now())
    seats = seating(session)
    state = snap.state
    timing = service.timing_of(session)
    phone_url = url_for(".phone", session_id=session.id, _external=True)
    current, upcoming = rules.seated_round(state), rules.upcoming_round(state, timing)
    # While people talk the board shows where they go next; otherwise where they sit now.
    shown = upcoming if state.state == rules.TALKING and upcoming is not None else current
    if _wants_json():
        return _seats_json({"board": _board_seats(seats)}, snap, session)
    if row.board_locale:  # the language the organiser chose for the room
        with force_locale(row.board_locale):
            return _render_board(session, snap, seats, shown, phone_url, token, row.board_locale)
    return _render_board(session, snap, seats, shown, phone_url, token, None)


def _board_seats(seats) -> dict:
    return {
        str(r + 1): [(seat.name, seat.table.code) for seat in seats.alphabetical(r)]
        for r in seats.by_round
    }


def _render_board(session, snap, seats, shown, phone_url, token, locale):
    return _varies(
        render_template(
            "live/board.html",
            session=session,
            snap=snap,
            clock_data=_clock_data(snap, session),
            labels=clock_labels(),
            shown_round=shown,
            seats=seats.alphabetical(shown),
            board_seats=_board_seats(seats),
            phone_url=phone_url,
            phone_qr=qr_svg(phone_url, scale=6),
            stream_url=url_for(".board_stream", token=token),
            board_locale=locale,
        )
    )


def _wants_json() -> bool:
    """live.js asks the board and the phone page for their seats as JSON after a re-plan, so
    the page stays (no reload of every phone in the room at once)."""
    best = request.accept_mimetypes.best_match(("text/html", "application/json"))
    return best == "application/json"


def _seats_json(seats: dict, snap: service.Snapshot, session):
    response = jsonify(seats=seats, clock=_clock_data(snap, session))
    response.headers["Cache-Control"] = "no-store"
    return _varies(response)


def _varies(response):
    response = make_response(response)
    response.vary.add("Accept")
    return response


@bp.get("/board/<token>/stream")
def board_stream(token: str):
    session, _row = service.session_for_board(token)
    return sse_response(session.id)


# --- now / next on the phone ---------------------------------------------------------------


@bp.get("/sessions/<int:session_id>/me")
@login_required
def phone(session_id: int):
    session = service.followed_session(session_id, current_user)
    snap = service.snapshot(session_id, clock.now())
    seats = seating(session)
    mine = seats.of(current_user.id)
    hosted = hosted_table_ids(session, current_user.id)
    timing = service.timing_of(session)
    rounds = range(timing.rounds)
    phone_seats = {
        "mine": {
            str(r + 1): {
                "code": seat.table.code,
                "topic": content(seat.table),
                "host": seat.table.host_display,
            }
            for r, seat in mine.items()
        },
        "hosted": bool(hosted),
    }
    if _wants_json():
        return _seats_json(phone_seats, snap, session)
    page = render_template(
        "live/phone.html",
        session=session,
        snap=snap,
        clock_data=_clock_data(snap, session),
        labels=clock_labels(),
        current=rules.seated_round(snap.state),
        upcoming=rules.upcoming_round(snap.state, timing),
        mine=mine,
        rounds=rounds,
        hosted=hosted,
        at_my_tables={r: seats.at(hosted, r) for r in rounds} if hosted else {},
        absent=service.absent_ids(session_id) if hosted else {},
        phone_seats=phone_seats,
        stream_url=url_for(".stream", session_id=session_id),
    )
    return _varies(page)


@bp.get("/sessions/<int:session_id>/stream")
@login_required
def stream(session_id: int):
    service.followed_session(session_id, current_user)
    return sse_response(session_id)

"""The roster's tools beyond one row: bulk actions (with a confirmation page for removing and
moving to the waitlist), adding a person, and CSV/XLSX of exactly the rows the filters match."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.i18n import N_
from meetingapp.domain.timezones import utc_to_local
from meetingapp.i18n import content, ordinal
from meetingapp.models.event import visible_session
from meetingapp.registration import bp, people
from meetingapp.registration import service as svc
from meetingapp.registration.forms import AddPersonForm
from meetingapp.registration.roster import (
    RosterFilter,
    bulk_preview,
    filtered_registration_ids,
    roster_rows,
)
from meetingapp.reports import exports
from meetingapp.web import flash_refusal

ACTIONS = ("confirm", "waitlist", "remove", "message")
ASKS_FIRST = ("waitlist", "remove")
MAX_IDS = 5000
_RUN = {
    "confirm": svc.confirm_past_capacity,
    "waitlist": svc.move_to_waitlist,
    "remove": svc.remove_registrations,
}


@dataclass(frozen=True)
class BulkRequest:
    """A bulk action as the roster's form (or the confirmation page) sends it."""

    action: str
    scope: str  # "chosen": the ticked rows; "filtered": every row the filters match
    ids: tuple[int, ...]
    filter: RosterFilter
    expected: int | None  # how many people the confirmation page showed

    @classmethod
    def from_values(cls, values) -> BulkRequest:
        ids = tuple(
            int(v) for v in values.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10
        )[:MAX_IDS]
        expected = values.get("expected", "")
        return cls(
            action=values.get("action", ""),
            scope="filtered" if values.get("scope") == "filtered" else "chosen",
            ids=ids,
            filter=RosterFilter.from_args(values),
            expected=int(expected) if expected.isascii() and expected.isdigit() else None,
        )

    def args(self) -> dict[str, object]:
        """Query-string arguments that carry this request (to the confirmation page)."""
        carried: dict[str, object] = {"action": self.action, "scope": self.scope}
        carried.update(self.filter.args(page=1))
        if self.scope == "chosen":
            carried["ids"] = list(self.ids)
        return carried

    def registration_ids(self, session_id: int) -> list[int]:
        if self.scope == "filtered":
            return filtered_registration_ids(session_id, self.filter)
        return list(self.ids)


def _roster(session_id: int, chosen: RosterFilter | None = None, anchor: str | None = None) -> str:
    args = chosen.args() if chosen else {}
    session = visible_session(session_id, current_user)
    return url_for(".manage", session_id=session.id, _anchor=anchor, **args)


def _back_to_roster(session_id: int, **_kwargs) -> str:
    """Back to the bulk bar, where the flash is read (far down the page on a phone)."""
    return _roster(session_id, BulkRequest.from_values(request.form).filter, anchor="bulk")


@bp.get("/sessions/<int:session_id>/bulk")
@organiser_required
def confirm_bulk(session_id: int):
    session = visible_session(session_id, current_user)
    chosen = BulkRequest.from_values(request.args)
    if chosen.action not in _RUN:
        flash(gettext("Choose what to do with the people chosen."), "error")
        return redirect(_roster(session_id, chosen.filter))
    preview = bulk_preview(session_id, chosen.action, chosen.registration_ids(session_id))
    return render_template(
        "registration/confirm_bulk.html",
        session=session,
        chosen=chosen,
        preview=preview,
        back=_roster(session_id, chosen.filter),
    )


@bp.post("/sessions/<int:session_id>/bulk")
@organiser_required
@flash_refusal(_back_to_roster)
def bulk(session_id: int):
    session = visible_session(session_id, current_user)
    chosen = BulkRequest.from_values(request.form)
    back = _back_to_roster(session_id)
    if chosen.action not in ACTIONS:
        flash(gettext("Choose what to do with the people chosen."), "error")
        return redirect(back)
    ids = chosen.registration_ids(session_id)
    if not ids:
        flash(gettext("Tick at least one person, or choose everyone the filters match."), "error")
        return redirect(back)
    if chosen.action == "message":
        segment = {"segment": chosen.scope, **chosen.args()}
        segment.pop("action")
        return redirect(url_for(".session_message", session_id=session_id, **segment))
    asks = chosen.action in ASKS_FIRST
    if (asks and request.form.get("confirmed") != "yes") or (
        chosen.scope == "filtered" and asks and chosen.expected != len(ids)
    ):
        if request.form.get("confirmed") == "yes":
            flash(gettext("The list changed since you looked: check it again."), "error")
        return redirect(url_for(".confirm_bulk", session_id=session_id, **chosen.args()))
    outcome = _RUN[chosen.action](
        session_id=session_id, registration_ids=ids, now=clock.now(), actor=current_user
    )
    for category, text in _said(chosen.action, outcome, session.title):
        flash(text, category)
    return redirect(back)


def _said(action: str, outcome: svc.BulkOutcome, title: str) -> list[tuple[str, str]]:
    """What a bulk action did, in words, naming one person or counting several."""
    n = len(outcome.changed)
    if not n:
        return [
            ("info", gettext("Nothing changed: the action applies to none of the people chosen."))
        ]
    one = outcome.changed[0]
    said = {
        "confirm": lambda: (
            gettext("Confirmed %(name)s for “%(title)s” past capacity.", name=one, title=title)
            if n == 1
            else ngettext(
                "Confirmed %(num)d person for “%(title)s” past capacity.",
                "Confirmed %(num)d people for “%(title)s” past capacity.",
                n,
                title=title,
            )
        ),
        "waitlist": lambda: (
            gettext(
                "Moved %(name)s to the end of the waitlist of “%(title)s”.", name=one, title=title
            )
            if n == 1
            else ngettext(
                "Moved %(num)d person to the end of the waitlist of “%(title)s”.",
                "Moved %(num)d people to the end of the waitlist of “%(title)s”.",
                n,
                title=title,
            )
        ),
        "remove": lambda: (
            gettext("Removed %(name)s from “%(title)s”.", name=one, title=title)
            if n == 1
            else ngettext(
                "Removed %(num)d person from “%(title)s”.",
                "Removed %(num)d people from “%(title)s”.",
                n,
                title=title,
            )
        ),
    }[action]()
    if outcome.promoted:
        said += " " + ngettext(
            "%(names)s got the seat from the waitlist.",
            "%(names)s got seats from the waitlist.",
            len(outcome.promoted),
            names=", ".join(outcome.promoted),
        )
    messages = [("success", said)]
    if outcome.skipped:
        messages.append(
            (
                "info",
                ngettext(
                    "%(num)d of the people chosen was left as they were: the action does not "
                    "apply to them.",
                    "%(num)d of the people chosen were left as they were: the action does not "
                    "apply to them.",
                    outcome.skipped,
                ),
            )
        )
    return messages


# --- one more person --------------------------------------------------------------------------


@bp.post("/sessions/<int:session_id>/people")
@organiser_required
@flash_refusal(lambda session_id, **_: _roster(session_id))
def add_person(session_id: int):
    session = visible_session(session_id, current_user)
    form = AddPersonForm()  # the entity's id is checked by the use case
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(_roster(session_id))
    added = people.add_person(
        session_id=session_id,
        email=form.email.data,
        name=form.name.data or "",
        organisation_id=form.organisation.data or None,
        now=clock.now(),
        actor=current_user,
    )
    if added.outcome.status == "confirmed":
        said = gettext(
            "Registered %(name)s for “%(title)s”: confirmed.",
            name=added.name,
            title=content(session),
        )
    else:
        said = gettext(
            "Registered %(name)s for “%(title)s”: %(ordinal)s on the waitlist.",
            name=added.name,
            title=content(session),
            ordinal=ordinal(added.outcome.waitlist_position or 0),
        )
    if added.created:
        said += " " + gettext("A new account was created for them.")
    flash(said, "success")
    chosen = RosterFilter(q=form.email.data.strip(), status="all")
    return redirect(_roster(session_id, chosen))


# --- exports of the filtered rows ---------------------------------------------------------------

_STATUS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("Waitlisted"),
    "cancelled": N_("Cancelled"),
}


def _roster_view(session, chosen: RosterFilter) -> exports.View:
    zone = session.event.timezone

    def local(instant):
        if instant is None:
            return None
        return utc_to_local(instant, zone).replace(tzinfo=None, second=0, microsecond=0)

    label = f"({zone})"
    return exports.View(
        "registrations",
        gettext("Registrations"),
        [
            exports.Column(gettext("Name"), 26),
            exports.Column(gettext("E-mail"), 30),
            exports.Column(gettext("Entity"), 10),
            exports.Column(gettext("Entity name"), 36),
            exports.Column(gettext("Status"), 12),
            exports.Column(gettext("Position"), 9),
            exports.Column(gettext("Past capacity"), 8),
            exports.Column(gettext("Registered %(zone)s", zone=label), 18),
            exports.Column(gettext("Confirmed %(zone)s", zone=label), 18),
            exports.Column(gettext("Cancelled %(zone)s", zone=label), 18),
        ],
        (
            (
                r.name,
                r.email,
                r.entity,
                r.entity_name,
                gettext(_STATUS[r.status]),
                r.position,
                True if r.override else None,
                local(r.registered_at),
                local(r.confirmed_at),
                local(r.cancelled_at),
            )
            for r in roster_rows(session.id, chosen)
        ),
    )


def _export(session_id: int, ext: str):
    session = visible_session(session_id, current_user)
    view = _roster_view(session, RosterFilter.from_args(request.args))
    name = exports.filename(session.event.title, session.title, "registrations", ext=ext)
    if ext == "csv":
        data, mimetype = exports.write_csv(view), "text/csv"
    else:
        data, mimetype = exports.write_xlsx([view]), exports.XLSX_MIME
    return send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )


@bp.get("/sessions/<int:session_id>/registrations.csv")
@organiser_required
def roster_csv(session_id: int):
    return _export(session_id, "csv")


@bp.get("/sessions/<int:session_id>/registrations.xlsx")
@organiser_required
def roster_xlsx(session_id: int):
    return _export(session_id, "xlsx")

"""Organisers' seating rules for the rotation: who stays at one table, pairs kept apart or
together.

The planning page and the API save the whole set through one use case, ``save_seating_rules``;
a participant asks to stay at one table for themself with ``set_own_seating_need`` (picks page
and API). The rules concern people, so cloning an event does not copy them: the new edition's
people register afresh. ``rotation.service.build_problem`` hands them to the planner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete

from meetingapp.domain import rotation as planner
from meetingapp.domain.errors import DomainError, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.rotation.constraints import prepare
from meetingapp.domain.visibility import can_manage, check_not_cancelled
from meetingapp.extensions import db
from meetingapp.models import EventSession, User
from meetingapp.models.audit import record_audit
from meetingapp.models.event import visible_networking_session
from meetingapp.models.rotation import RotationPair, SeatingNeed
from meetingapp.registration.queries import confirmed_people, is_confirmed
from meetingapp.rotation.queries import (
    KINDS,
    SeatingRules,
    ordered,
    own_seating_need,
    stored_rules,
)
from meetingapp.uow import unit_of_work


class SeatingNeedKept(DomainError):
    """A participant cannot lift a seating need an organiser marked for them."""

    status_code = 409


# --- the organisers' use case -----------------------------------------------------------------


def save_seating_rules(
    *,
    session_id: int,
    stays_at_one_table: Iterable[int],
    apart: Iterable[Iterable[int]],
    together: Iterable[Iterable[int]],
    actor: User,
    now: datetime,
) -> SeatingRules:
    """Replace the session's seating rules with these (the planning page adds or removes one
    rule by sending the whole set). New rules must name confirmed participants; rules kept
    from before stay even when their people are no longer confirmed (the planner ignores
    them). Refuses a pair of one person, a pair listed twice, a pair both apart and together,
    and combinations no rotation can satisfy (the planner's line)."""
    with unit_of_work():
        session = _managed_session(session_id, actor, now)
        before = stored_rules(session_id)
        confirmed = {u.id: u for u in confirmed_people(session_id)}
        names = _Names(confirmed)
        stays = _checked_stays(stays_at_one_table, before, confirmed, names)
        kinds = {
            kind: _checked_pairs(kind, raw, before, confirmed, names)
            for kind, raw in (("apart", apart), ("together", together))
        }
        clash = sorted(set(kinds["apart"]) & set(kinds["together"]))
        if clash:
            pair = clash[0]
            raise ValidationFailed(
                _(
                    "%(first)s and %(second)s cannot be kept both apart and together.",
                    first=names.of(pair[0]),
                    second=names.of(pair[1]),
                ),
                field="together",
            )
        after = SeatingRules(stays, kinds["apart"], kinds["together"])
        _check_planner_accepts(session, after.among(set(confirmed)), confirmed, names)
        _store(session, before, after, actor, now, names)
    return after


def _managed_session(session_id: int, actor: User, now: datetime) -> EventSession:
    session = visible_networking_session(session_id, actor)
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers set the seating rules."))
    check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
    if session.ends_at <= now:
        raise ValidationFailed(_("This session is over: its rotation stays as it was played."))
    return session


class _Names:
    """People's names for messages and the audit trail, loaded once each."""

    def __init__(self, known: dict[int, User]) -> None:
        self.users = dict(known)

    def user(self, user_id: int) -> User | None:
        if user_id not in self.users:
            self.users[user_id] = db.session.get(User, user_id)
        return self.users[user_id]

    def of(self, user_id: int) -> str:
        user = self.user(user_id)
        return user.name if user is not None else f"#{user_id}"


def _not_confirmed(user_id: int, names: _Names, field: str) -> ValidationFailed:
    return ValidationFailed(
        _("%(name)s is not confirmed for this session.", name=names.of(user_id)), field=field
    )


def _checked_stays(raw, before: SeatingRules, confirmed, names: _Names) -> tuple[int, ...]:
    stays = sorted(set(raw))
    for user_id in stays:
        if user_id not in before.stays_at_one_table and user_id not in confirmed:
            raise _not_confirmed(user_id, names, "stays_at_one_table")
    return tuple(stays)


def _checked_pairs(kind: str, raw, before: SeatingRules, confirmed, names) -> tuple:
    seen: set[tuple[int, int]] = set()
    for item in raw:
        members = list(item)
        if len(members) != 2 or members[0] == members[1]:
            raise ValidationFailed(_("A pair needs two different people."), field=kind)
        pair = ordered(*members)
        if pair in seen:
            message = (
                _(
                    "%(first)s and %(second)s are already kept apart.",
                    first=names.of(pair[0]),
                    second=names.of(pair[1]),
                )
                if kind == "apart"
                else _(
                    "%(first)s and %(second)s already sit together.",
                    first=names.of(pair[0]),
                    second=names.of(pair[1]),
                )
            )
            raise ValidationFailed(message, field=kind)
        if pair not in before.pairs(kind):
            for user_id in pair:
                if user_id not in confirmed:
                    raise _not_confirmed(user_id, names, kind)
        seen.add(pair)
    return tuple(sorted(seen))


def _check_planner_accepts(session, rules: SeatingRules, confirmed, names: _Names) -> None:
    """The planner's own check of the rules (a chain of together pairs too big for any table,
    people kept apart but joined through others): its one line, refused at once."""
    problem = planner.RotationProblem(
        rounds=session.round_count or 0,
        min_tables=session.min_tables or 1,
        tables=tuple(planner.TableSpec(t.id, t.seats, t.min_seats) for t in session.tables),
        participants=tuple(
            planner.ParticipantSpec(u, None, moves=u not in rules.stays_at_one_table)
            for u in sorted(confirmed)
        ),
        apart=rules.apart,
        together=rules.together,
    )
    try:
        prepare(problem)
    except planner.Infeasible as exc:
        raise ValidationFailed(
            _(
                "No rotation is possible: %(reason)s",
                reason=readable(str(exc), names.of, {t.id: t.code for t in session.tables}),
            ),
            field="together",
        ) from None


def _store(session, before: SeatingRules, after: SeatingRules, actor, now, names) -> None:
    changes = []
    gone = set(before.stays_at_one_table) - set(after.stays_at_one_table)
    new = set(after.stays_at_one_table) - set(before.stays_at_one_table)
    if gone:
        db.session.execute(
            delete(SeatingNeed).where(
                SeatingNeed.session_id == session.id, SeatingNeed.user_id.in_(gone)
            )
        )
    for user_id in sorted(new):
        db.session.add(
            SeatingNeed(
                session_id=session.id, user_id=user_id, asked_by_id=actor.id, created_at=now
            )
        )
    changes += [f"stays at one table: +{names.of(u)}" for u in sorted(new)]
    changes += [f"stays at one table: -{names.of(u)}" for u in sorted(gone)]
    # Every pair that goes is deleted before any comes (a pair may change from apart to
    # together or back: one row per pair).
    for kind in KINDS:
        for first, second in sorted(set(before.pairs(kind)) - set(after.pairs(kind))):
            db.session.execute(
                delete(RotationPair).where(
                    RotationPair.session_id == session.id,
                    RotationPair.first_user_id == first,
                    RotationPair.second_user_id == second,
                )
            )
            changes.append(f"{kind}: -{names.of(first)} & {names.of(second)}")
    for kind in KINDS:
        for first, second in sorted(set(after.pairs(kind)) - set(before.pairs(kind))):
            db.session.add(
                RotationPair(
                    session_id=session.id,
                    kind=kind,
                    first_user_id=first,
                    second_user_id=second,
                    created_by_id=actor.id,
                    created_at=now,
                )
            )
            changes.append(f"{kind}: +{names.of(first)} & {names.of(second)}")
    if changes:
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="rotation seating rules changed",
            target=session.title,
            detail="; ".join(changes),
        )


# --- the participant's own request ------------------------------------------------------------


def set_own_seating_need(*, user: User, session_id: int, stays: bool, now: datetime) -> bool:
    """A confirmed participant asks to stay at one table in every round (mobility needs), or
    takes back their own request, until the picks deadline. A need an organiser marked stays
    until an organiser lifts it. Returns whether they now stay at one table."""
    with unit_of_work():
        session = visible_networking_session(session_id, user)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        if now >= (session.picks_deadline or session.starts_at):
            raise ValidationFailed(
                _("The deadline for table picks has passed: ask the organisers."),
                field="stays_at_one_table",
            )
        if not is_confirmed(session.id, user.id):
            raise PermissionDenied(
                _("Register for the session (and be confirmed) before asking for a seat.")
            )
        need = own_seating_need(session_id, user.id)
        if stays == (need is not None):
            return stays
        if need is not None and not need.asked_themselves:
            raise SeatingNeedKept(
                _("The organisers noted that you stay at one table; ask them to change it.")
            )
        if stays:
            db.session.add(
                SeatingNeed(
                    session_id=session_id, user_id=user.id, asked_by_id=user.id, created_at=now
                )
            )
        else:
            db.session.delete(need)
        record_audit(
            event_id=session.event_id,
            actor=user,
            now=now,
            action="asked to stay at one table" if stays else "no longer asks to stay at one table",
            target=session.title,
            detail=user.name,
        )
    return stays


# --- the planner's lines, for people ------------------------------------------------------------

_IDS = r"\d+(?:(?:, | and )\d+(?! more))*"


def readable(reason: str, name_of, codes: dict[int, str]) -> str:
    """The planner's line with names for participant ids, codes for table ids and rounds
    numbered from 1 as on the pages (the planner numbers them from 0)."""

    def ids(mapping):
        def replace(match: re.Match) -> str:
            listed = re.sub(r"\d+", lambda d: mapping(int(d.group())), match.group(2))
            return match.group(1) + listed

        return replace

    reason = re.sub(
        r"\b(rounds )(\d+) and (\d+)\b",
        lambda m: f"{m.group(1)}{int(m.group(2)) + 1} and {int(m.group(3)) + 1}",
        reason,
    )
    reason = re.sub(
        r"(?<!exceeds )\b(round )(\d+)\b", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", reason
    )
    reason = re.sub(rf"\b(tables? )({_IDS})\b", ids(lambda t: codes.get(t, str(t))), reason)
    return re.sub(rf"\b(participants? )({_IDS})\b", ids(name_of), reason)

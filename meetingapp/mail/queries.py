"""Named reads of the outbox: one page of messages, filtered by status and kind, and the words
the outbox page uses for them (stored values stay English; pages translate these)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from meetingapp.domain.i18n import N_
from meetingapp.extensions import db
from meetingapp.models import OutboxMessage

STATUS_LABELS = {
    "pending": N_("Waiting to be sent"),
    "sending": N_("Being sent"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "held": N_("Held: never sent"),
}
KIND_LABELS = {
    "confirmed": N_("Confirmation"),
    "waitlisted": N_("On the waitlist"),
    "promoted": N_("A seat opened"),
    "cancelled": N_("Registration withdrawn"),
    "moved_to_waitlist": N_("Moved to the waitlist"),
    "session_changed": N_("Session changed"),
    "session_cancelled": N_("Session cancelled"),
    "rotation_published": N_("Table rotation"),
    "reminder": N_("Reminder"),
    "organiser_message": N_("Message from the organisers"),
    "test_message": N_("Test message"),
    "verify_email": N_("E-mail address check"),
    "password_reset": N_("Password reset"),
}
# Why a message is held, stored (in English) in its last_error and shown translated.
HELD_PAST_SESSION = N_("Not sent: it is about a session that has ended (the demo's 2024 history).")
PER_PAGE = 50


def _number(value: str | None, default: int) -> int:
    return (
        int(value) if value and value.isascii() and value.isdigit() and len(value) < 7 else default
    )


@dataclass(frozen=True)
class OutboxFilter:
    status: str = ""  # "" : any
    kind: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> OutboxFilter:
        status = args.get("status", "")
        kind = args.get("kind", "")
        return cls(
            status=status if status in STATUS_LABELS else "",
            kind=kind
            if kind.isascii() and kind.replace("_", "").isalnum() and len(kind) <= 40
            else "",
            page=max(_number(args.get("page"), 1), 1),
        )

    def args(self, **changes) -> dict[str, object]:
        values = {"status": self.status, "kind": self.kind, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    total: int
    filter: OutboxFilter
    pages: int
    by_status: dict[str, int] = field(default_factory=dict)  # every message, by status
    kinds: list[str] = field(default_factory=list)  # the kinds the outbox holds


def _filtered(chosen: OutboxFilter, columns) -> Select:
    stmt = select(*columns)
    if chosen.status:
        stmt = stmt.where(OutboxMessage.status == chosen.status)
    if chosen.kind:
        stmt = stmt.where(OutboxMessage.kind == chosen.kind)
    return stmt


def outbox_page(chosen: OutboxFilter | None = None, per_page: int = PER_PAGE) -> OutboxPage:
    """The newest messages first, one page under ``chosen``; four queries whatever the size."""
    chosen = chosen or OutboxFilter()
    total = db.session.scalar(_filtered(chosen, (func.count(OutboxMessage.id),))) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(chosen.page, pages)
    messages = list(
        db.session.scalars(
            _filtered(chosen, (OutboxMessage,))
            .order_by(OutboxMessage.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    by_status = dict.fromkeys(STATUS_LABELS, 0)
    for status, n in db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ):
        by_status[status] = n
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind).distinct()))
    return OutboxPage(
        messages, total, OutboxFilter(chosen.status, chosen.kind, page), pages, by_status, kinds
    )

"""A session's agenda: its items in order, and the organiser's notes on each for the report.

The session form edits the items as lines of text; saving them again must not lose what the
organiser wrote under an item. ``set_agenda`` keeps each item (and its notes) whose title is
still there, treats an item with notes whose line changed in place as renamed, and refuses to
drop an item that still has notes. ``save_agenda_notes`` writes the notes themselves.
"""

from __future__ import annotations

from datetime import datetime

from meetingapp.domain.errors import NotFound, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import AgendaItem, EventSession, User
from meetingapp.models.audit import record_audit
from meetingapp.organise.service import require_organiser
from meetingapp.uow import unit_of_work

NOTES_MAX = 20_000


def set_agenda(session: EventSession, lines: list[str]) -> None:
    """Make ``session``'s agenda the non-empty ``lines``, in order, keeping notes (see above).

    Called inside the session's use case (its unit of work); it only changes the objects.
    """
    titles = [line.strip()[:300] for line in lines if line.strip()]
    old = list(session.agenda_items)
    unused = {id(item): item for item in old}
    chosen: list[AgendaItem | None] = []
    for title in titles:
        same = next((i for i in old if id(i) in unused and i.title == title), None)
        if same is not None:
            del unused[id(same)]
        chosen.append(same)
    # An item with notes whose line was edited in place (same position) keeps its notes.
    for item in [i for i in old if id(i) in unused and i.notes]:
        index = item.position - 1
        if 0 <= index < len(chosen) and chosen[index] is None:
            chosen[index] = item
            del unused[id(item)]
    lost = [i for i in unused.values() if i.notes]
    if lost:
        raise ValidationFailed(
            _(
                "The agenda item “%(title)s” has notes for the report: keep it, or clear its "
                "notes on the agenda notes page first.",
                title=lost[0].title,
            ),
            field="agenda",
        )
    items = []
    for position, (title, item) in enumerate(zip(titles, chosen, strict=True), start=1):
        item = item or AgendaItem(title=title, notes="")
        item.position, item.title = position, title
        items.append(item)
    session.agenda_items = items


def save_agenda_notes(
    session_id: int, notes: dict[int, str], *, actor: User, now: datetime
) -> EventSession:
    """Store the organiser's notes per agenda item (``notes``: item id → text)."""
    require_organiser(actor)
    with unit_of_work():
        session = db.session.get(EventSession, session_id)
        if session is None:
            raise NotFound(_("There is no such session."))
        changed = 0
        for item in session.agenda_items:
            if item.id not in notes:
                continue
            text = _tidy(notes[item.id])
            if len(text) > NOTES_MAX:
                raise ValidationFailed(
                    _("Notes are limited to %(count)s characters.", count=NOTES_MAX),
                    field=f"item_{item.id}",
                )
            if text != item.notes:
                item.notes, changed = text, changed + 1
        if changed:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="agenda notes edited",
                target=session.title,
                detail=f"{changed} item(s)",
            )
    return session


def _tidy(text: str) -> str:
    """As typed, with \\n line endings and no trailing spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()

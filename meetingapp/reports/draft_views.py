"""The draft of the meeting's report: a page to choose the events and the language, and the
DOCX download (``draft.draft_report`` writes it, ``docx_writer.write_docx`` lays it out)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import ValidationFailed
from meetingapp.i18n import LANGUAGES, localise
from meetingapp.reports import bp, exports
from meetingapp.reports.docx_writer import DOCX_MIME, write_docx
from meetingapp.reports.draft import draft_report
from meetingapp.reports.draft_queries import draft_choices

MAX_EVENTS = 20


@dataclass(frozen=True)
class DraftRequest:
    """The page's form as its GET sends it: ``event`` (repeated) and ``language``."""

    event_ids: tuple[int, ...]
    language: str

    @classmethod
    def from_args(cls, args, default_language: str) -> DraftRequest:
        ids = (v for v in args.getlist("event") if v.isascii() and v.isdigit() and len(v) < 10)
        return cls(
            event_ids=tuple(dict.fromkeys(int(v) for v in ids))[:MAX_EVENTS],
            language=args.get("language", default_language)[:20],
        )


def _interface_language() -> str:
    locale = str(get_locale())
    return locale if locale in LANGUAGES else "en"


def _page(chosen: DraftRequest, event_id: int | None, errors: dict[str, str], status: int = 200):
    return render_template(
        "reports/draft.html",
        choices=draft_choices(event_id, current_user),
        chosen=chosen,
        errors=errors,
    ), status


@bp.get("/events/<int:event_id>/draft")
@organiser_required
def draft(event_id: int):
    return _page(DraftRequest((event_id,), _interface_language()), event_id, {})


@bp.get("/draft.docx")
@organiser_required
def draft_docx():
    chosen = DraftRequest.from_args(request.args, _interface_language())
    now = clock.now()
    try:
        draft = draft_report(
            list(chosen.event_ids), viewer=current_user, language=chosen.language, now=now
        )
    except ValidationFailed as exc:
        back_to = chosen.event_ids[0] if chosen.event_ids else None
        return _page(chosen, back_to, {exc.field or "events": localise(exc)}, 422)
    return send_file(
        BytesIO(write_docx(draft, now=now)),
        mimetype=DOCX_MIME,
        as_attachment=True,
        download_name=exports.filename(
            draft.event_titles[0], "report-draft", draft.language, ext="docx"
        ),
        max_age=0,
    )

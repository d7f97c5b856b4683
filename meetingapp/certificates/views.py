"""Pages: the organiser's certificate page (template, who came, revoke, all as one PDF, mail,
badges and tents), the participant's download and the public verification page."""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.certificates import bp, queries, service
from meetingapp.domain import certificates as rules
from meetingapp.domain.errors import ValidationFailed
from meetingapp.i18n import localise
from meetingapp.web import flash_refusal

EDITED_LOCALES = ("en", "zh_Hans")  # the interface's languages; others read the English text


def _pdf(name_and_bytes: tuple[str, bytes]):
    name, data = name_and_bytes
    return send_file(
        BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name
    )


def _to_page(session_id: int, **_kwargs) -> str:
    return url_for(
        ".session_page", session_id=queries.certified_session(session_id, current_user).id
    )


def _values() -> service.TemplateValues:
    upload = request.files.get("logo")
    logo = upload.read(rules.MAX_LOGO_BYTES + 1) if upload and upload.filename else None
    return service.TemplateValues(
        enabled=request.form.get("enabled") == "y",
        signatory_name=request.form.get("signatory_name", ""),
        signatory_title=request.form.get("signatory_title", ""),
        texts={
            loc: (request.form.get(f"{loc}-title", ""), request.form.get(f"{loc}-body", ""))
            for loc in EDITED_LOCALES
        },
        logo=logo,
        remove_logo=request.form.get("remove_logo") == "y",
    )


def _page(session, status: int = 200, *, error: str = "", field: str | None = None):
    template = queries.template_of(session.id)
    texts = {loc: (template.text_for(loc) if template else None) for loc in EDITED_LOCALES}
    return render_template(
        "certificates/session.html",
        session=session,
        event=session.event,
        template=template,
        texts={
            loc: (t.title, t.body) if t and t.locale == loc else rules.DEFAULT_TEXTS[loc]
            for loc, t in texts.items()
        },
        form=request.form if error else None,
        rows=queries.organiser_rows(session),
        placeholders=rules.PLACEHOLDERS,
        locales=EDITED_LOCALES,
        error=error,
        error_field=field,
    ), status


@bp.get("/sessions/<int:session_id>")
@organiser_required
def session_page(session_id: int):
    session = queries.certified_session(session_id, current_user)
    if session.id != session_id:
        return redirect(url_for(".session_page", session_id=session.id))
    return _page(session)


@bp.post("/sessions/<int:session_id>")
@organiser_required
def save_template(session_id: int):
    session = queries.certified_session(session_id, current_user)
    try:
        service.save_template(
            session_id=session.id, values=_values(), actor=current_user, now=clock.now()
        )
    except ValidationFailed as exc:
        return _page(session, 422, error=localise(exc), field=exc.field)
    flash(gettext("Certificate template saved."), "success")
    return redirect(url_for(".session_page", session_id=session.id), 303)


@bp.get("/sessions/<int:session_id>/all.pdf")
@organiser_required
def session_pdf(session_id: int):
    return _pdf(
        service.session_certificates(session_id=session_id, actor=current_user, now=clock.now())
    )


@bp.post("/sessions/<int:session_id>/revoke")
@organiser_required
@flash_refusal(_to_page)
def revoke(session_id: int):
    back = _to_page(session_id)  # an unknown session is a 404 before any input is read
    raw = request.form.get("user", "")
    if not raw.isdigit() or len(raw) > 9:
        abort(400, gettext("Choose whose certificate to revoke."))
    certificate = service.revoke_certificate(
        session_id=session_id, user_id=int(raw), actor=current_user, now=clock.now()
    )
    flash(gettext("Certificate %(code)s revoked.", code=certificate.code), "success")
    return redirect(back, 303)


@bp.post("/sessions/<int:session_id>/mail")
@organiser_required
@flash_refusal(_to_page)
def mail(session_id: int):
    count = service.mail_certificates(session_id=session_id, actor=current_user, now=clock.now())
    flash(
        ngettext(
            "Certificate mail queued for %(num)d person.",
            "Certificate mail queued for %(num)d people.",
            count,
        ),
        "success",
    )
    return redirect(_to_page(session_id), 303)


@bp.get("/sessions/<int:session_id>/badges.pdf")
@organiser_required
def badges(session_id: int):
    secret = current_app.config["SECRET_KEY"]
    return _pdf(service.badges(session_id=session_id, actor=current_user, secret_key=secret))


@bp.get("/sessions/<int:session_id>/tents.pdf")
@organiser_required
def tents(session_id: int):
    return _pdf(service.table_tents(session_id=session_id, actor=current_user))


@bp.get("/sessions/<int:session_id>/mine.pdf")
@login_required
def mine(session_id: int):
    return _pdf(service.my_certificate(session_id=session_id, user=current_user, now=clock.now()))


@bp.get("/<string:code>")
def verify(code: str):
    normal = rules.normalise_code(code)
    certificate = queries.certificate_by_code(normal) if normal else None
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, code=code[:40]), 404
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        code=certificate.code,
        session=certificate.session,
        event=certificate.session.event,
    )

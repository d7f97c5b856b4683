"""E-mail: messages composed into the outbox inside the change's unit of work (``service.py``),
delivered after commit (``delivery.py``), day-before reminders (``reminders.py``) and in-app
notices (``notices.py``). The blueprint has no routes: it carries the mail templates."""

from flask import Blueprint, Flask, g

bp = Blueprint("mail", __name__, template_folder="templates")


def register_delivery(app: Flask) -> None:
    """After any request whose unit of work queued mail (POST, PATCH, DELETE alike), deliver it
    in the background: the single-machine default (MAIL_BACKGROUND)."""

    @app.after_request
    def deliver_queued_mail(response):
        if (
            g.get("mail_queued")
            and app.config.get("MAIL_BACKGROUND")
            and app.config.get("MAIL_SERVER")
        ):
            from meetingapp.mail.delivery import drain_in_background

            drain_in_background(app)
        return response

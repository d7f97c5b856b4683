from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


class CodeForm(FlaskForm):
    code = StringField(
        _l("Check-in code"),
        validators=[
            DataRequired(_l("Scan or paste a check-in code.")),
            Length(max=120, message=_l("That is too long to be a check-in code.")),
        ],
        description=_l("The text under the QR code on the participant's “My programme” page."),
    )


class WalkInForm(FlaskForm):
    email = EmailField(
        _l("E-mail of their account"),
        validators=[
            DataRequired(_l("Enter the e-mail address of their account.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    override = BooleanField(_l("Confirm them past capacity if the session is full"))

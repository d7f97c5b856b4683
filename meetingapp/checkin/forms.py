from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


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
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter their e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    name = StringField(
        _l("Name (without an account yet)"), validators=[Optional(), Length(max=120)]
    )
    organisation = SelectField(_l("Entity"), coerce=int, validators=[Optional()])
    override = BooleanField(_l("Confirm them past capacity if the session is full"))

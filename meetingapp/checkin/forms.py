from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


class CodeForm(FlaskForm):
    code = StringField(
        "Check-in code",
        validators=[
            DataRequired("Scan or paste a check-in code."),
            Length(max=120, message="That is too long to be a check-in code."),
        ],
        description="The text under the QR code on the participant's “My programme” page.",
    )


class WalkInForm(FlaskForm):
    email = EmailField(
        "E-mail of their account",
        validators=[
            DataRequired("Enter the e-mail address of their account."),
            Email("Enter a valid e-mail address."),
            Length(max=254),
        ],
    )
    override = BooleanField("Confirm them past capacity if the session is full")

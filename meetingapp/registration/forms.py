from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100_000, message=_l("Capacity must be between 1 and 100000.")),
        ],
        description=_l("Leave empty for no limit. Raising it promotes people from the waitlist."),
    )
    submit = SubmitField(_l("Save capacity"))


class ReconfirmForm(FlaskForm):
    """The organisers ask the confirmed to say they are still coming, by a deadline (the event's
    local time)."""

    deadline = DateTimeLocalField(
        _l("Reconfirm by (local time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Give the deadline to reconfirm."))],
    )
    releases = BooleanField(
        _l("Release the seats of those who do not answer by then"),
        description=_l(
            "Their registration is withdrawn at the deadline and the seat goes to the next "
            "person on the waitlist; each is told by mail. Otherwise nobody loses a seat for "
            "not answering."
        ),
    )
    submit = SubmitField(_l("Ask to reconfirm"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Participants file (CSV or XLSX with name, email, organisation)"),
        validators=[
            FileRequired(_l("Choose a CSV or XLSX file.")),
            FileAllowed(["csv", "xlsx"], _l("Only CSV or XLSX files.")),
        ],
    )
    create_entities = BooleanField(
        _l("Create missing entities"),
        description=_l(
            "An organisation not in the list becomes a new entity (its abbreviation as written; "
            "an organisation_name column gives its full name) instead of a rejected row."
        ),
    )
    submit = SubmitField(_l("Import and register"))


class AddPersonForm(FlaskForm):
    """Register one person from the roster: an existing account by e-mail, or a new one."""

    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Enter the person's e-mail.")), Length(max=254)]
    )
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=120)],
        description=_l("Needed only when the person has no account yet."),
    )
    organisation = SelectField(_l("Entity"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Register this person"))


class MessageForm(FlaskForm):
    """An organiser's message to a segment: compose, preview, send."""

    segment = SelectField(_l("To"), validate_choice=False)
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=200)]
    )
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write the message.")), Length(max=20_000)],
        description=_l(
            "Plain text. Each person receives it in a message of their own, with a greeting and "
            "a closing line in their language."
        ),
    )
    key = HiddenField()
    expected = HiddenField()

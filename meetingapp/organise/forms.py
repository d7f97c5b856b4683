from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from meetingapp.models import SessionKind

DT_FORMAT = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)])
    city = StringField("City", validators=[DataRequired(), Length(max=120)])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = StringField(
        "Time zone", validators=[Optional(), Length(max=64)],
        description="An IANA name such as Europe/Vienna; left empty, it follows the city.",
        render_kw={"list": "zones", "autocomplete": "off"},
    )
    starts_on = DateField("Starts on", validators=[DataRequired(message="Enter a valid date.")])
    ends_on = DateField("Ends on", validators=[DataRequired(message="Enter a valid date.")])
    organisation = SelectField("Organising entity", coerce=int, validators=[Optional()])
    co_organisers = StringField("Co-organisers", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Save event")


KIND_CHOICES = [(k.value, k.label) for k in SessionKind if k != SessionKind.PART]


class SessionForm(FlaskForm):
    kind = SelectField("Kind")
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)])
    room = StringField("Room", validators=[Optional(), Length(max=120)])
    day = DateField("Day", validators=[DataRequired(message="Enter a valid date.")])
    start_time = TimeField("Starts (local time)", validators=[DataRequired(message="Enter a time.")])
    end_time = TimeField("Ends (local time)", validators=[DataRequired(message="Enter a time.")])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=1, max=100_000)],
                            description="Empty means no limit.")
    registration_opens = DateTimeLocalField("Registration opens (local)", format=DT_FORMAT,
                                            validators=[Optional()])
    registration_closes = DateTimeLocalField("Registration closes (local)", format=DT_FORMAT,
                                             validators=[Optional()],
                                             description="Empty means when the session starts.")
    lead_organisation = SelectField("Lead entity", coerce=int, validators=[Optional()])
    chair = StringField("Chair", validators=[Optional(), Length(max=200)])
    agenda = TextAreaField("Agenda items", validators=[Optional(), Length(max=20_000)],
                           description="One item per line, in order.")
    round_count = IntegerField("Rounds", validators=[Optional(), NumberRange(min=1, max=50)])
    round_minutes = IntegerField("Minutes per round", validators=[Optional(), NumberRange(min=1, max=600)])
    move_minutes = IntegerField("Minutes to move between rounds",
                                validators=[Optional(), NumberRange(min=0, max=120)])
    min_tables = IntegerField("Minimum distinct tables per participant",
                              validators=[Optional(), NumberRange(min=1, max=50)], default=3)
    max_picks = IntegerField("Tables each participant may rank",
                             validators=[Optional(), NumberRange(min=1, max=50)], default=5)
    picks_deadline = DateTimeLocalField("Picks deadline (local)", format=DT_FORMAT,
                                        validators=[Optional()],
                                        description="Empty means when the session starts.")
    submit = SubmitField("Save session")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices declared on the class.
        self.kind.choices = list(KIND_CHOICES)

    def validate_round_count(self, field):
        if self.kind.data == SessionKind.SPEED_NETWORKING.value and not field.data:
            raise ValidationError("A speed-networking session needs its number of rounds.")

    def validate_round_minutes(self, field):
        if self.kind.data == SessionKind.SPEED_NETWORKING.value and not field.data:
            raise ValidationError("Say how long each round lasts.")


class TableForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=8)],
                       description="A short label such as “a”.")
    topic = StringField("Topic", validators=[DataRequired(), Length(max=300)])
    host_organisation = SelectField("Host entity", coerce=int, validators=[Optional()])
    host_label = StringField("Host unit", validators=[Optional(), Length(max=200)],
                             description="For example “Space Applications Section”.")
    host_user = SelectField("Host (account)", coerce=int, validators=[Optional()])
    seats = IntegerField("Seats per round", validators=[DataRequired(), NumberRange(min=1, max=500)],
                         default=8)
    min_seats = IntegerField("Minimum to open the table",
                             validators=[Optional(), NumberRange(min=0, max=500)], default=0)
    submit = SubmitField("Save table")


class CloneForm(FlaskForm):
    title = StringField("Title of the new edition", validators=[DataRequired(), Length(max=200)])
    starts_on = DateField("New start date", validators=[DataRequired(message="Enter a valid date.")],
                          description="Every session moves by the same number of days and keeps "
                                      "its local time.")
    submit = SubmitField("Clone event")

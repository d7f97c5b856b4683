from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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

from meetingapp.domain.retention import DEFAULT_RETENTION_MONTHS, MAX_RETENTION_MONTHS
from meetingapp.models import SessionKind
from meetingapp.organise.translation_forms import translations_field, translations_values

DT_FORMAT = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    translations = translations_field()
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l("An IANA name such as Europe/Vienna; left empty, it follows the city."),
        render_kw={"list": "zones", "autocomplete": "off"},
    )
    starts_on = DateField(
        _l("Starts on"), validators=[DataRequired(message=_l("Enter a valid date."))]
    )
    ends_on = DateField(_l("Ends on"), validators=[DataRequired(message=_l("Enter a valid date."))])
    organisation = SelectField(_l("Organising entity"), coerce=int, validators=[Optional()])
    co_organisers = StringField(_l("Co-organisers"), validators=[Optional(), Length(max=1000)])
    retention_months = IntegerField(
        _l("Keep participants' personal data for (months after the event)"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[Optional(), NumberRange(min=1, max=MAX_RETENTION_MONTHS)],
        description=_l(
            "Then names, addresses and free-text answers are anonymised; counts per entity stay."
        ),
    )
    overlap_policy = SelectField(
        _l("Registering for overlapping sessions"),
        default="warn",
        description=_l(
            "When someone registers for a session at the time of one they are confirmed for."
        ),
    )
    submit = SubmitField(_l("Save event"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.overlap_policy.choices = [
            ("warn", gettext("Warn, and register all the same")),
            ("refuse", gettext("Refuse the registration")),
        ]


KIND_CHOICES = [(k.value, k.label) for k in SessionKind if k != SessionKind.PART]


class SessionForm(FlaskForm):
    kind = SelectField(_l("Kind"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    translations = translations_field()
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120)])
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Enter a valid date."))])
    start_time = TimeField(
        _l("Starts (local time)"), validators=[DataRequired(message=_l("Enter a time."))]
    )
    end_time = TimeField(
        _l("Ends (local time)"), validators=[DataRequired(message=_l("Enter a time."))]
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Empty means no limit."),
    )
    open_seating = BooleanField(
        _l("Open seating"),
        description=_l("Anyone may come: nobody registers (an opening plenary, for example)."),
    )
    waitlist_mode = SelectField(
        _l("When a seat opens"),
        default="automatic",
        description=_l(
            "With offers, the first person waiting is mailed and must accept within the hours "
            "below, or the seat goes to the next."
        ),
    )
    offer_hours = IntegerField(
        _l("Hours to accept an offer"),
        validators=[Optional(), NumberRange(min=1)],  # the upper bound: domain.capacity
        description=_l("Empty means 24; an offer never lasts past the session's start."),
    )
    waitlist_cap = IntegerField(
        _l("Waitlist cap"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Most people on the waitlist; empty means no limit."),
    )
    online_url = StringField(
        _l("Online link (hybrid session)"),
        validators=[Optional(), Length(max=500)],  # http/https only: domain/online.py
        description=_l(
            "Shown only to confirmed participants and organisers; empty: in the room only."
        ),
        render_kw={"inputmode": "url"},
    )
    online_info = TextAreaField(
        _l("Dial-in and joining details"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Phone numbers, meeting code…, shown with the link."),
    )
    online_capacity = IntegerField(
        _l("Online places"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Counted apart from the room's capacity; empty means no limit."),
    )
    registration_opens = DateTimeLocalField(
        _l("Registration opens (local)"), format=DT_FORMAT, validators=[Optional()]
    )
    registration_closes = DateTimeLocalField(
        _l("Registration closes (local)"),
        format=DT_FORMAT,
        validators=[Optional()],
        description=_l("Empty means when the session starts."),
    )
    lead_organisation = SelectField(_l("Lead entity"), coerce=int, validators=[Optional()])
    chair = StringField(_l("Chair"), validators=[Optional(), Length(max=200)])
    agenda = TextAreaField(
        _l("Agenda items"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("One item per line, in order."),
    )
    round_count = IntegerField(_l("Rounds"), validators=[Optional(), NumberRange(min=1, max=50)])
    round_minutes = IntegerField(
        _l("Minutes per round"), validators=[Optional(), NumberRange(min=1, max=600)]
    )
    move_minutes = IntegerField(
        _l("Minutes to move between rounds"), validators=[Optional(), NumberRange(min=0, max=120)]
    )
    min_tables = IntegerField(
        _l("Minimum distinct tables per participant"),
        validators=[Optional(), NumberRange(min=1, max=50)],
        default=3,
    )
    max_picks = IntegerField(
        _l("Tables each participant may rank"),
        validators=[Optional(), NumberRange(min=1, max=50)],
        default=5,
    )
    picks_deadline = DateTimeLocalField(
        _l("Picks deadline (local)"),
        format=DT_FORMAT,
        validators=[Optional()],
        description=_l("Empty means the day before the session, at the same time."),
    )
    submit = SubmitField(_l("Save session"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices declared on the class.
        self.kind.choices = [(value, gettext(label)) for value, label in KIND_CHOICES]
        self.waitlist_mode.choices = [
            ("automatic", gettext("Confirm the first person waiting at once")),
            ("offer", gettext("Offer the seat with a deadline to accept")),
        ]

    def validate_round_count(self, field):
        if self.kind.data == SessionKind.SPEED_NETWORKING.value and not field.data:
            raise ValidationError(gettext("A speed-networking session needs its number of rounds."))

    def validate_round_minutes(self, field):
        if self.kind.data == SessionKind.SPEED_NETWORKING.value and not field.data:
            raise ValidationError(gettext("Say how long each round lasts."))


class TableForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=8)],
        description=_l("A short label such as “a”."),
    )
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    translations = translations_field(with_description=False)
    host_organisation = SelectField(_l("Host entity"), coerce=int, validators=[Optional()])
    host_label = StringField(
        _l("Host unit"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example “Space Applications Section”."),
    )
    host_user = SelectField(_l("Host (account)"), coerce=int, validators=[Optional()])
    seats = IntegerField(
        _l("Seats per round"), validators=[DataRequired(), NumberRange(min=1, max=500)], default=8
    )
    min_seats = IntegerField(
        _l("Minimum to open the table"),
        validators=[Optional(), NumberRange(min=0, max=500)],
        default=0,
    )
    submit = SubmitField(_l("Save table"))


class CloneForm(FlaskForm):
    title = StringField(
        _l("Title of the new edition"), validators=[DataRequired(), Length(max=200)]
    )
    starts_on = DateField(
        _l("New start date"),
        validators=[DataRequired(message=_l("Enter a valid date."))],
        description=_l("Every session moves by the same number of days and keeps its local time."),
    )
    description = TextAreaField(
        _l("Description of the new edition"),
        validators=[Optional(), Length(max=10_000)],
        description=_l("Copied from this edition: update what changed (dates, venue, partners)."),
    )
    submit = SubmitField(_l("Clone event"))


# --- forms ↔ values (the mappers' shape, see organise/mappers.py) ----------------------------


def event_form_values(form: EventForm) -> dict:
    return {
        "title": form.title.data,
        "city": form.city.data,
        "venue": form.venue.data or "",
        "timezone": form.timezone.data or "",
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "description": form.description.data or "",
        "translations": translations_values(form.translations),
        "organisation": form.organisation.data or None,
        "co_organisers": form.co_organisers.data or "",
        "retention_months": form.retention_months.data or DEFAULT_RETENTION_MONTHS,
        "overlap_policy": form.overlap_policy.data or "warn",
    }


def session_form_values(form: SessionForm) -> dict:
    """The form's day and local times as the values' ``starts_at``/``ends_at``."""
    day = form.day.data
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "description": form.description.data or "",
        "translations": translations_values(form.translations),
        "room": form.room.data or "",
        "starts_at": datetime.combine(day, form.start_time.data),
        "ends_at": datetime.combine(day, form.end_time.data),
        "capacity": form.capacity.data,
        "open_seating": bool(form.open_seating.data),
        "waitlist_mode": form.waitlist_mode.data,
        "offer_hours": form.offer_hours.data,
        "waitlist_cap": form.waitlist_cap.data,
        "online_url": form.online_url.data or None,
        "online_info": form.online_info.data or "",
        "online_capacity": form.online_capacity.data,
        "registration_opens": form.registration_opens.data,
        "registration_closes": form.registration_closes.data,
        "lead_organisation": form.lead_organisation.data or None,
        "chair": form.chair.data or "",
        "agenda": (form.agenda.data or "").splitlines(),
        "round_count": form.round_count.data,
        "round_minutes": form.round_minutes.data,
        "move_minutes": form.move_minutes.data,
        "min_tables": form.min_tables.data,
        "max_picks": form.max_picks.data,
        "picks_deadline": form.picks_deadline.data,
    }


def session_form_data(values: dict, kind: str) -> dict:
    """Stored values (``session_values``) as the form's fields, to edit them."""
    start, end = values["starts_at"], values["ends_at"]
    data = {k: v for k, v in values.items() if k not in ("starts_at", "ends_at", "agenda")}
    return data | {
        "kind": kind,
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "lead_organisation": values["lead_organisation"] or 0,
        "agenda": "\n".join(values["agenda"]),
    }


def table_form_values(form: TableForm) -> dict:
    return {
        "code": form.code.data,
        "topic": form.topic.data,
        "translations": translations_values(form.translations),
        "host_organisation": form.host_organisation.data or None,
        "host_label": form.host_label.data or "",
        "host_user": form.host_user.data or None,
        "seats": form.seats.data,
        "min_seats": form.min_seats.data or 0,
    }


class AgendaNotesForm(FlaskForm):
    """One text area per agenda item, named ``item_<id>``: see ``agenda_notes_form``."""

    submit = SubmitField(_l("Save notes"))


def agenda_notes_form(items, **kwargs) -> AgendaNotesForm:
    """The notes form for these agenda items, each labelled with its number and title."""

    class Form(AgendaNotesForm):
        pass

    for item in items:
        setattr(
            Form,
            f"item_{item.id}",
            TextAreaField(
                f"{item.position}. {item.title}",
                validators=[Optional(), Length(max=20_000)],
                render_kw={"rows": 8},
            ),
        )
    return Form(**kwargs)


def agenda_notes_values(form: AgendaNotesForm, items) -> dict[int, str]:
    return {item.id: form[f"item_{item.id}"].data or "" for item in items}

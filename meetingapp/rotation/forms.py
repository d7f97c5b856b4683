from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional


class PlanForm(FlaskForm):
    from_round = SelectField(_l("Re-plan from round"), coerce=int, validators=[Optional()])
    time_limit = DecimalField(
        _l("Time for mixing (seconds)"),
        places=1,
        validators=[Optional(), NumberRange(min=0.1, max=120)],
        description=_l("Optional: more time can reduce repeated encounters."),
    )
    submit = SubmitField(_l("Plan rotation"))


# These selects list only real choices, one always selected: no `required` attribute, which the
# HTML standard allows on a select only with an empty placeholder first. InputRequired still checks.
LISTED_ONLY = {"required": False}


class MoveForm(FlaskForm):
    participant = SelectField(
        _l("Participant"), coerce=int, validators=[InputRequired()], render_kw=LISTED_ONLY
    )
    round_number = SelectField(
        _l("Round"), coerce=int, validators=[InputRequired()], render_kw=LISTED_ONLY
    )
    table = SelectField(
        _l("Table"), coerce=int, validators=[InputRequired()], render_kw=LISTED_ONLY
    )
    submit = SubmitField(_l("Move and pin"))


class CardsForm(FlaskForm):
    columns = IntegerField(_l("Columns"), validators=[Optional(), NumberRange(min=1, max=4)])


class StayForm(FlaskForm):
    """An organiser marks someone who keeps one table in every round (prefix ``stay``)."""

    # The use case, not the form, refuses someone not confirmed (with their name).
    participant = SelectField(
        _l("Participant"),
        coerce=int,
        validators=[InputRequired()],
        validate_choice=False,
        render_kw=LISTED_ONLY,
    )
    submit = SubmitField(_l("Stays at one table"))


class PairForm(FlaskForm):
    """Two people kept apart or together in every round (prefix ``pair``)."""

    first = SelectField(
        _l("One person"),
        coerce=int,
        validators=[InputRequired()],
        validate_choice=False,
        render_kw=LISTED_ONLY,
    )
    second = SelectField(
        _l("The other person"),
        coerce=int,
        validators=[InputRequired()],
        validate_choice=False,
        render_kw=LISTED_ONLY,
    )
    kind = SelectField(_l("Rule"), validators=[InputRequired()], render_kw=LISTED_ONLY)
    submit = SubmitField(_l("Add the pair"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices declared on the class.
        self.kind.choices = [
            ("apart", gettext("Keep apart: never at one table")),
            ("together", gettext("Keep together: the same table in every round")),
        ]

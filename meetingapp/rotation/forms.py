from __future__ import annotations

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


class MoveForm(FlaskForm):
    participant = SelectField(_l("Participant"), coerce=int, validators=[InputRequired()])
    round_number = SelectField(_l("Round"), coerce=int, validators=[InputRequired()])
    table = SelectField(_l("Table"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Move and pin"))


class CardsForm(FlaskForm):
    columns = IntegerField(_l("Columns"), validators=[Optional(), NumberRange(min=1, max=4)])

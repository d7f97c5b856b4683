from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional


class PlanForm(FlaskForm):
    from_round = SelectField("Re-plan from round", coerce=int, validators=[Optional()])
    time_limit = DecimalField("Time for mixing (seconds)", places=1,
                              validators=[Optional(), NumberRange(min=0.1, max=120)],
                              description="Optional: more time can reduce repeated encounters.")
    submit = SubmitField("Plan rotation")


class MoveForm(FlaskForm):
    participant = SelectField("Participant", coerce=int, validators=[InputRequired()])
    round_number = SelectField("Round", coerce=int, validators=[InputRequired()])
    table = SelectField("Table", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Move and pin")


class CardsForm(FlaskForm):
    columns = IntegerField("Columns", validators=[Optional(), NumberRange(min=1, max=4)])

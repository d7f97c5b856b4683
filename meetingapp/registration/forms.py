from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        "Capacity", validators=[Optional(), NumberRange(min=1, message="Capacity must be at least 1.")],
        description="Leave empty for no limit. Raising it promotes people from the waitlist.",
    )
    submit = SubmitField("Save capacity")


class ImportForm(FlaskForm):
    file = FileField(
        "Participants file (CSV or XLSX with name, email, organisation)",
        validators=[FileRequired("Choose a CSV or XLSX file."),
                    FileAllowed(["csv", "xlsx"], "Only CSV or XLSX files.")],
    )
    submit = SubmitField("Import and register")

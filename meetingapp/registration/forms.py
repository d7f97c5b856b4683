from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional


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


class ImportForm(FlaskForm):
    file = FileField(
        _l("Participants file (CSV or XLSX with name, email, organisation)"),
        validators=[
            FileRequired(_l("Choose a CSV or XLSX file.")),
            FileAllowed(["csv", "xlsx"], _l("Only CSV or XLSX files.")),
        ],
    )
    submit = SubmitField(_l("Import and register"))

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from meetingapp.entities.service import FULL_NAME_LENGTH, SHORT_NAME_LENGTH


class EntityForm(FlaskForm):
    short_name = StringField(
        _l("Abbreviation"),
        validators=[DataRequired(), Length(max=SHORT_NAME_LENGTH)],
        description=_l("As reports name the entity, e.g. UNOOSA."),
    )
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(), Length(max=FULL_NAME_LENGTH)],
        description=_l("e.g. Office for Outer Space Affairs."),
    )
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


def _entity_id(value) -> int:
    """The placeholder's empty value reads as 0, which DataRequired refuses with its message."""
    return int(value) if value not in ("", None) else 0


class MergeForm(FlaskForm):
    into = SelectField(
        _l("Merge into"),
        coerce=_entity_id,
        validators=[DataRequired(message=_l("Choose the entity to keep."))],
        description=_l(
            "Its people, the events and sessions it leads and the tables it hosts move to the "
            "entity you choose; this one is then deleted."
        ),
    )
    submit = SubmitField(_l("Merge"))

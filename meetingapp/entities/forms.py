from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from meetingapp.entities.service import (
    FULL_NAME_LENGTH,
    NAME_LANGUAGES,
    REPORT_GROUPS,
    SHORT_NAME_LENGTH,
)


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


def _name_field(label, lang: str, direction: str = "ltr") -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=FULL_NAME_LENGTH)],
        render_kw={"lang": lang, "dir": direction},
    )


class OfficialNamesForm(EntityForm):
    """The entity page's form: both names, the official name in the other five languages and
    the entity's group in report lists."""

    name_ar = _name_field(_l("Official name in Arabic"), "ar", "rtl")
    name_zh_Hans = _name_field(_l("Official name in Chinese"), "zh-Hans")
    name_fr = _name_field(_l("Official name in French"), "fr")
    name_ru = _name_field(_l("Official name in Russian"), "ru")
    name_es = _name_field(_l("Official name in Spanish"), "es")
    report_group = IntegerField(
        _l("Group in report lists"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=REPORT_GROUPS - 1)],
        description=_l(
            "Reports list entities group by group (0 first), then alphabetically by their "
            "English official name, in every language. Leave 0 unless the entity goes after "
            "the others."
        ),
    )

    def names(self) -> dict[str, str]:
        return {lang: getattr(self, f"name_{lang}").data or "" for lang in NAME_LANGUAGES}

    def fill(self, entity) -> None:
        for lang in NAME_LANGUAGES:
            getattr(self, f"name_{lang}").data = (entity.names or {}).get(lang, "")


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


def _entity_id(value) -> int:
    """A chosen row's id; the placeholder's empty value reads as 0, which DataRequired refuses
    with its message."""
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


class FocalPointForm(FlaskForm):
    """An organiser names a focal point of the entity by their account's address."""

    email = StringField(
        _l("E-mail address of the focal point"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Someone from this entity with an account here."),
    )


class ColleagueRegistrationForm(FlaskForm):
    """A focal point registers a colleague of their entity for a session."""

    person = SelectField(
        _l("Colleague"),
        coerce=_entity_id,
        validators=[DataRequired(message=_l("Choose a colleague."))],
    )
    session = SelectField(
        _l("Session"),
        coerce=_entity_id,
        validators=[DataRequired(message=_l("Choose a session."))],
    )
    online = BooleanField(_l("Attends online (hybrid sessions)"))

"""The organiser forms' "in other languages" fieldsets: a title (or topic) and a description per
interface language, read and written as the mappers' ``translations`` values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FormField, StringField, TextAreaField
from wtforms.form import Form
from wtforms.validators import Length, Optional

from meetingapp.domain.content import CONTENT_LANGUAGES
from meetingapp.i18n import LANGUAGES


class _FromMapping(Form):
    """A sub-form filled from the stored ``{"fr": {"title": …}}`` mapping (WTForms hands a
    FormField's stored value over as an object to read attributes from)."""

    def process(self, formdata=None, obj=None, data=None, **kwargs):
        if isinstance(obj, dict):
            obj, data = None, obj
        super().process(formdata, obj, data, **kwargs)


class _TitleAndDescription(_FromMapping):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])


class _Topic(_FromMapping):
    title = StringField(_l("Topic"), validators=[Optional(), Length(max=300)])


def _per_language(text_form: type[Form]) -> type[Form]:
    fields = {code: FormField(text_form, label=LANGUAGES[code]) for code in CONTENT_LANGUAGES}
    return type(f"{text_form.__name__}PerLanguage", (_FromMapping,), fields)


def translations_field(*, with_description: bool = True) -> FormField:
    """The form field of a title and description (a table: its topic) in each language."""
    return FormField(_per_language(_TitleAndDescription if with_description else _Topic))


def translations_values(field: FormField) -> dict:
    """The field's data as the mappers' ``translations`` (``clean_translations`` drops empties)."""
    return {code: dict(sub.data) for code, sub in field.form._fields.items()}

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from meetingapp.api.tokens import MAX_NAME_LENGTH
from meetingapp.entities.service import FULL_NAME_LENGTH, SHORT_NAME_LENGTH
from meetingapp.i18n import LANGUAGES

# The choice "another entity (not in the list)" in an entity select.
ANOTHER_ENTITY = -1


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=MAX_NAME_LENGTH)],
        description=_l("Say where it is used, e.g. “registration script”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


class ExportForm(FlaskForm):
    submit = SubmitField(_l("Download my data"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(message=_l("Enter your password."))]
    )
    submit = SubmitField(_l("Delete my account"))


def entity_choices(organisations, placeholder: str, another: str) -> list[tuple[int, str]]:
    """The entity select: a placeholder, the entities offered, then "another entity"."""
    return (
        [(0, placeholder)] + [(o.id, o.label) for o in organisations] + [(ANOTHER_ENTITY, another)]
    )


class EntityChoice:
    """An entity picked from the list, or another one named (sign-up and the account page)."""

    organisation = SelectField(_l("Organisation"), coerce=int)
    new_entity_short_name = StringField(
        _l("Abbreviation of your entity"),
        validators=[Optional(), Length(max=SHORT_NAME_LENGTH)],
        description=_l("e.g. WFP"),
    )
    new_entity_full_name = StringField(
        _l("Full name of your entity"),
        validators=[Optional(), Length(max=FULL_NAME_LENGTH)],
        description=_l("e.g. World Food Programme"),
    )

    def validate_organisation(self, field) -> None:
        if not field.data and not (self.new_entity_short_name.data or "").strip():
            raise ValidationError(_l("Pick your organisation from the list."))

    def proposes_entity(self) -> bool:
        return self.organisation.data == ANOTHER_ENTITY or (
            not self.organisation.data and bool((self.new_entity_short_name.data or "").strip())
        )

    def proposed_entity(self) -> tuple[str, str] | None:
        """(abbreviation, full name) of the entity named, when it is not one from the list."""
        if not self.proposes_entity():
            return None
        return (self.new_entity_short_name.data or "", self.new_entity_full_name.data or "")

    def picked_organisation(self) -> int | None:
        return None if self.proposes_entity() else (self.organisation.data or None)


class ProfileForm(EntityChoice, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("A new address takes effect once you open the link we send to it."),
    )
    locale = SelectField(_l("Language"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 deprecates tuple choices declared on the class.
        self.locale.choices = list(LANGUAGES.items())


class ResendForm(FlaskForm):
    submit = SubmitField(_l("Send the link again"))

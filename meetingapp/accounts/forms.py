from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from meetingapp.api.tokens import MAX_NAME_LENGTH


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=MAX_NAME_LENGTH)],
        description=_l("Say where it is used, e.g. “registration script”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))

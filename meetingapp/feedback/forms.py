from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from meetingapp.domain import feedback as rules


class SettingsForm(FlaskForm):
    mode = RadioField(
        _l("Answers are"),
        choices=[
            SelectChoice(
                "anonymous", _l("Anonymous: stored without names; nobody can tell who wrote what")
            ),
            SelectChoice("named", _l("Named: the organisers see who gave each answer")),
        ],
        validators=[DataRequired(_l("Choose anonymous or named."))],
    )
    intro = TextAreaField(
        _l("A word to the participants (optional)"),
        validators=[Optional(), Length(max=rules.MAX_INTRO)],
        description=_l("Shown above the questions and in the e-mail."),
    )


class QuestionForm(FlaskForm):
    # No DataRequired: the select has no empty placeholder (its `required` would be invalid HTML)
    # and SelectField already refuses any value but a listed kind.
    kind = SelectField(_l("Kind of question"))
    prompt = StringField(
        _l("Question"),
        validators=[
            DataRequired(_l("Write the question.")),
            Length(max=rules.MAX_PROMPT),
        ],
    )
    choices = TextAreaField(
        _l("Choices, one per line"),
        validators=[Optional()],
        description=_l("For one choice or several choices only: from 2 to 10 lines."),
    )
    required = BooleanField(_l("An answer is required"))

    def set_kinds(self, *, networking: bool) -> None:
        self.kind.choices = [
            SelectChoice(kind, _l(rules.KIND_LABELS[kind]))
            for kind in rules.KINDS
            if networking or kind != rules.TABLES
        ]


class AnswerForm(FlaskForm):
    """The CSRF token only: the questions are read by ``domain.feedback.read_answers``."""

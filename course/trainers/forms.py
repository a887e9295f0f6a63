"""The gradebook's form: an extra attempt or a reset, with a reason (CSRF-protected)."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from ..quizzes.models import EXTRA, RESET
from ..web import CourseForm


def _tidy(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text


class GrantForm(CourseForm):
    kind = RadioField("What to grant", choices=[
        SelectChoice(EXTRA, "One extra attempt (past the attempt limit, the wait between "
                     "attempts or a pass)"),
        SelectChoice(RESET, "Reset the quiz (earlier attempts stop counting; they stay on "
                     "record)")],
        validators=[InputRequired(message="Choose an extra attempt or a reset."),
                    AnyOf([EXTRA, RESET])])
    reason = TextAreaField("Reason", filters=[_tidy], validators=[
        DataRequired(message="Give a reason: it is kept with the grant."),
        Length(min=3, max=500, message="Between 3 and 500 characters.")],
        description="Kept with who granted it and when; the learner's record shows it.")

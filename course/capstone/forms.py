"""Capstone forms: the learner's response (markdown and an optional attachment) and the
reviewer's marking, built from the rubric the version was submitted under."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..content.capstone import Rubric
from ..web import CourseForm

MAX_RESPONSE_CHARS = 30_000
MAX_COMMENT_CHARS = 4_000


class ResponseForm(CourseForm):
    body = TextAreaField("Your response (markdown)", validators=[
        Length(max=MAX_RESPONSE_CHARS,
               message=f"Keep the response under {MAX_RESPONSE_CHARS:,} characters; put the "
                       "rest in an attachment.")],
        description="Headings start with ##, lists with -. Preview shows how reviewers see it.")
    attachment = FileField("Attachment (optional)",
                           description="One PDF, Word (.docx), PNG or JPEG file.")
    remove_attachment = BooleanField("Remove the current attachment")


class ReviewBase(CourseForm):
    comment = TextAreaField("Overall comment to the learner", validators=[
        Optional(), Length(max=8_000)],
        description="Needed when you return the work: say what to revise.")


def level_field(index: int) -> str:
    return f"level_{index}"


def comment_field(index: int) -> str:
    return f"comment_{index}"


def review_form(rubric: Rubric) -> ReviewBase:
    """A form with a level choice and a comment for each of the rubric's criteria."""

    class ReviewForm(ReviewBase):
        pass

    for i, criterion in enumerate(rubric.criteria):
        setattr(ReviewForm, level_field(i), RadioField(
            criterion.name, choices=[SelectChoice(lv.name, lv.name) for lv in criterion.levels],
            validators=[InputRequired(message="choose a level")]))
        setattr(ReviewForm, comment_field(i), TextAreaField(
            f"Comment on {criterion.name}",
            validators=[Optional(), Length(max=MAX_COMMENT_CHARS)]))
    return ReviewForm()

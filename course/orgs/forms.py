"""Organisation forms; every one is a CourseForm, so CSRF-protected."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from ..web import CourseForm


class InviteForm(CourseForm):
    email = EmailField("Email address", validators=[InputRequired(), Length(max=254),
                                                    Email(check_deliverability=False)])
    name = StringField("Name (optional)", validators=[Optional(), Length(max=120)])
    team = StringField("Team (optional)", validators=[Optional(), Length(max=80)],
                       description="For example Sales or Support: the dashboard filters by it.")


class ImportForm(CourseForm):
    roster = FileField("Staff list (CSV)", description=(
        "A first line naming the columns email, name and team (only email is required), "
        "then one person per line. Saved from a spreadsheet as CSV UTF-8."))


class ConfirmImportForm(CourseForm):
    text = TextAreaField("The list to apply", validators=[InputRequired()])


class AssignForm(CourseForm):
    course = SelectField("Course", validators=[InputRequired()])
    due_on = DateField("Due date", validators=[Optional()],
                       description="Learners who have no certificate by then are overdue.")


class BrandingForm(CourseForm):
    template = SelectField("Certificate template", validators=[InputRequired()])
    primary_colour = StringField(
        "Main colour", validators=[Optional(), Regexp(r"^#[0-9a-fA-F]{6}$",
                                                      message="Use a colour like #1f4e79.")],
        description="A hex colour like #1f4e79, used for the frame and the title.")
    signatory = StringField("Signatory (optional)", validators=[Optional(), Length(max=120)],
                            description="The name printed as signing for your organisation.")
    logo = FileField("Logo (SVG or PNG, optional)",
                     description="Up to 300 KB. It is checked and re-drawn before it is used.")


class BulkForm(CourseForm):
    kind = RadioField("What to do", choices=[
        SelectChoice("issue", "Issue certificates to members who are eligible and have none"),
        SelectChoice("reissue", "Re-issue every member's current certificate (for example "
                     "after a rebrand): each gets a new version, the old one is marked as "
                     "replaced")],
        default="issue", validators=[InputRequired()])
    reason = StringField("Reason (required for a re-issue; shown on the verify page)",
                         validators=[Optional(), Length(max=500)])


class ReasonForm(CourseForm):
    reason = StringField("Reason (shown on the verify page)",
                         validators=[InputRequired(), Length(max=500)])


class OrgForm(CourseForm):
    slug = StringField("Short name", validators=[InputRequired(), Length(max=63),
                                                 Regexp(r"^[a-z0-9][a-z0-9-]*$", message=(
                                                     "Lower-case letters, digits, hyphens."))],
                       description="Used in commands, e.g. acme-corp.")
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    seat_limit = IntegerField("Seat limit (optional)",
                              validators=[Optional(), NumberRange(min=1, max=1_000_000)])


class ManagerForm(CourseForm):
    email = EmailField("Manager's email address",
                       validators=[InputRequired(), Length(max=254),
                                   Email(check_deliverability=False)],
                       description=("A member of the organisation becomes its manager at once; "
                                    "anyone else gets an invitation link to accept."))
    replace = BooleanField("Replace the current manager (they stay a member, without a "
                           "manager's rights, from now on)")


class RenameForm(CourseForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)],
                       description=("Shown on the dashboard and on certificates issued from now "
                                    "on. The short name, links and issued certificates stay."))


class SeatsForm(CourseForm):
    seat_limit = IntegerField("Number of seats",
                              validators=[Optional(), NumberRange(min=1, max=1_000_000)],
                              description=("Members and open invitations each take a seat. "
                                           "Leave empty for no limit."))

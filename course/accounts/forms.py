"""Account forms; every one is a CourseForm, so CSRF-protected."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, Field, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from ..names import NAME_RULE, clean_name
from ..web import CourseForm

EMAIL_HELP = "The address you use at work."


def new_password(label: str) -> PasswordField:
    """A field for choosing a password (its rule is shown as the field's description)."""
    return PasswordField(label, validators=[InputRequired(), Length(max=1024)],
                         render_kw={"autocomplete": "new-password"})


def confirm_password(label: str) -> PasswordField:
    """The field that repeats `password`, so a typo cannot lock the user out."""
    return PasswordField(label, validators=[InputRequired(),
                                            EqualTo("password", "The two passwords differ.")],
                         render_kw={"autocomplete": "new-password"})


def visible_name(form: CourseForm, field: Field) -> None:
    """A name of only spaces or invisible characters is no name."""
    if not clean_name(field.data):
        raise ValidationError(NAME_RULE)


class LoginForm(CourseForm):
    email = EmailField("Email address", validators=[InputRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")


class RegisterForm(CourseForm):
    display_name = StringField("Your name", validators=[InputRequired(), Length(max=120),
                                                        visible_name],
                               render_kw={"autocomplete": "name"})
    email = EmailField("Email address", description=EMAIL_HELP,
                       validators=[InputRequired(), Email(check_deliverability=False),
                                   Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = new_password("Password")
    confirm = confirm_password("Repeat the password")


class ChangePasswordForm(CourseForm):
    current = PasswordField("Current password", validators=[InputRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = new_password("New password")
    confirm = confirm_password("Repeat the new password")


class ForgotForm(CourseForm):
    email = EmailField("Email address", validators=[InputRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ResetForm(CourseForm):
    password = new_password("New password")
    confirm = confirm_password("Repeat the new password")


class LogoutForm(CourseForm):
    """Log-out is a POST with a CSRF token, so another site cannot log a user out."""


class NameForm(CourseForm):
    display_name = StringField("Your name", validators=[InputRequired(), Length(max=120),
                                                        visible_name],
                               description="As it appears on your pages and on certificates "
                                           "issued from now on.",
                               render_kw={"autocomplete": "name"})


class EmailChangeForm(CourseForm):
    email = EmailField("New email address",
                       description="We send a link to this address; your address changes "
                                   "only when you follow it.",
                       validators=[InputRequired(), Email(check_deliverability=False),
                                   Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Your password", validators=[InputRequired(), Length(max=1024)],
                             description="To make sure it is you.",
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(CourseForm):
    """A button that confirms what a link from an email asked for (a link only opens it)."""

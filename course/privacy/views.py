"""The learner's privacy page: download their data as JSON, close their account (standalone)
or remove their course data (in a host app, which keeps its own account)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    session,
)
from flask_login import logout_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired

from ..db import session as db_session
from ..errors import CourseError
from ..identity import current_display_name, current_email, current_user_id, login_required
from ..links import url_for
from ..state import get_state
from ..web import CourseForm
from . import services

CONFIRM_WORD = "CLOSE"


class CloseForm(CourseForm):
    keep_name = BooleanField("Keep my name on the certificates I was issued (they stay "
                             "verifiable either way)")
    confirm = StringField(f"Type {CONFIRM_WORD} to confirm", validators=[InputRequired()])


@login_required
def page() -> str | tuple[str, int]:
    form = CloseForm()
    return render_template("course/privacy/page.html", form=form,
                           accounts=get_state().accounts)


@login_required
def my_data() -> Response:
    """Everything we hold about the current user, as a JSON download."""
    data = services.collect(db_session(), current_user_id(),
                            {"name": current_display_name(), "email": current_email()})
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def close() -> Response | tuple[str, int]:
    """Close the account (or remove the course data in a host app)."""
    form = CloseForm()
    if not form.validate_on_submit() or form.confirm.data.strip() != CONFIRM_WORD:
        if form.confirm.data and not form.confirm.errors:
            form.confirm.errors.append(f"Type {CONFIRM_WORD} in capitals.")
        return render_template("course/privacy/page.html", form=form,
                               accounts=get_state().accounts), 400
    db, user_id = db_session(), current_user_id()
    services.close(db, user_id, keep_name=form.keep_name.data, email=current_email())
    state = get_state()
    try:
        for hook in state.close_hooks:  # the standalone accounts delete the account itself
            hook(db, user_id)
    except CourseError as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("course.privacy.page"))
    db.commit()
    if state.accounts:
        logout_user()
        session.clear()
        flash("Your account is closed and your personal data removed. Certificates you were "
              "issued can still be verified.", "success")
        return redirect(url_for("course.lessons.catalogue"))
    flash("Your course data is removed.", "success")
    return redirect(url_for("course.lessons.catalogue"))


def create_blueprint() -> Blueprint:
    bp = Blueprint("privacy", __name__)
    bp.add_url_rule("/privacy/", view_func=page)
    bp.add_url_rule("/privacy/my-data.json", view_func=my_data)
    bp.add_url_rule("/privacy/close", view_func=close, methods=["POST"])
    return bp


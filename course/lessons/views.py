"""Learner-facing lesson pages: catalogue, course overview, lesson, my learning, course files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
)
from werkzeug.wrappers import Response

from .. import pageshell, signals
from ..certificates import standing
from ..certificates.issuing import after_progress
from ..content.catalog import CourseInfo, Lesson
from ..content.practice import fill
from ..context import template_context
from ..ctx import has_flashes, this_app, this_request
from ..db import session as db_session
from ..identity import (
    TRAINER,
    current_display_name,
    current_email,
    current_user_id,
    has_role,
    login_required,
)
from ..links import url_for
from ..loaded import content
from ..state import get_state
from ..web import CourseForm, csrf_token
from . import services
from .path import LESSON, QUIZ
from .progress import CourseProgress, course_progress, neighbours

MIMETYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
             ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
DONE_MARK = ' <span class="done" aria-label="done">✓</span>'


class CompleteForm(CourseForm):
    """The 'Mark complete' button (a POST with a CSRF token)."""


def _course(slug: str) -> CourseInfo:
    return content().course(slug) or abort(404)


def progress_for(course: CourseInfo) -> CourseProgress:
    """The current user's progress in `course` (empty for visitors); trainers see drafts."""
    user_id = current_user_id()
    states = services.lesson_states(db_session(), user_id, course.slug) if user_id else {}
    return course_progress(course, states, show_drafts=has_role(TRAINER))


def index() -> Response:
    """The plugin's home: the catalogue."""
    return redirect(url_for("course.lessons.catalogue"))


def catalogue() -> str:
    """Every course the content root holds, with the learner's progress in each."""
    catalog = content().catalog
    progress = {c.slug: progress_for(c) for c in catalog.courses} if current_user_id() else {}
    return render_template("course/lessons/catalogue.html", catalog=catalog, progress=progress)


def step_for(info: CourseInfo, progress: CourseProgress, *, after: Lesson | None = None,
             resume: bool = False, forward: bool = False) -> standing.StepLink | None:
    """The current learner's next step in `info` (None for visitors)."""
    user_id = current_user_id()
    if user_id is None:
        return None
    return standing.step_for(db_session(), user_id, info, progress, content().quizzes,
                             after=after, resume=resume, forward=forward)


def due_for(step: standing.StepLink | None, course: str) -> standing.Due | None:
    """The learner's due date for `course` (their organisation's assignment), if any."""
    user_id = current_user_id()
    if step is None or user_id is None:
        return None
    return standing.due_for(db_session(), user_id, course, step.certificate is not None)


def overview(course: str) -> str:
    """A course's modules and lessons, progress bars, the next step and the due date."""
    info = _course(course)
    progress = progress_for(info)
    step = step_for(info, progress, resume=True)
    return render_template("course/lessons/overview.html", course=info, progress=progress,
                           quizzes=content().quizzes, step=step, due=due_for(step, info.slug))


def _lesson(course: str, lesson: str) -> tuple[CourseInfo, Lesson, CourseProgress]:
    info = _course(course)
    found = info.lesson(lesson)
    if found is None or (found.draft and not has_role(TRAINER)):
        abort(404)
    return info, found, progress_for(info)


@login_required
def lesson_page(course: str, lesson: str) -> bytes | tuple[str, int]:
    """One lesson: its stored HTML, contents, previous and next, and 'mark complete'.

    The page is a shell rendered once per content version (and prefix, role view and previous
    lesson) with this learner's parts filled in on every view: see course/pageshell.py."""
    info, found, progress = _lesson(course, lesson)
    module = progress.module_of(found)
    if not module.unlocked:
        return render_template("course/lessons/locked.html", course=info, module=module,
                               progress=progress), 403
    user_id = current_user_id()
    db = db_session()
    if services.record_view(db, user_id, found, progress.states.get(found.slug)):
        services.touch_learner(db, user_id, current_display_name() or user_id, current_email())
        db.commit()
    previous = neighbours(progress, found)[0]
    step = step_for(info, progress, after=found, forward=True)
    loaded = content()
    provider = get_state().practice_blocks
    practice = provider(db, user_id, info.slug, found.slug) if provider else {}
    drafts = has_role(TRAINER)
    key = ("lesson", info.slug, found.slug, this_request().script_root, drafts,
           previous.slug if previous else None)

    def render() -> str:
        rendered = loaded.rendered(found)
        slots = {n: pageshell.marker(f"practice:{n}") for n in practice}
        return render_template(
            "course/lessons/lesson.html", course=info, lesson=found, module=module,
            rendered=rendered, previous=previous, lesson_html=fill(rendered.html, slots),
            has_practice=bool(practice), course_shell=pageshell.marker,
            position=module.lessons.index(found) + 1)

    # A host's template may show per-user text outside the marked parts: then never kept.
    shell = pageshell.cached(pageshell.store(), key, render)
    return shell.fill_bytes(_lesson_parts(shell, info, found, module, progress, step, practice))


def _layout_parts(ctx: dict[str, Any], token: str) -> dict[str, str]:
    """The layout's parts for this request (header navigation, account links, messages), each
    kept by what it shows: the navigation per role view, the account links per user (the token
    filled in on each use), the empty messages area once.

    `ctx` is the plugin's own template context, which the parts are kept by; a part made here
    is rendered with the whole context, every processor's (a host's too), made only then."""
    app, here = this_app(), this_request()
    store, env = pageshell.store(), app.jinja_env
    where = (here.endpoint, here.script_root)
    whole: dict[str, Any] = {}

    def context() -> dict[str, Any]:
        if not whole:
            whole["request"] = request
            app.update_template_context(whole)
        return whole

    def render(block: str, **extra: Any) -> Callable[[], str]:
        def make() -> str:  # only for a part not kept yet
            layout = env.get_template("course/layout.html")
            return "".join(layout.blocks[block](layout.new_context({**context(), **extra})))
        return make

    nav = pageshell.kept(store, ("main_nav", tuple(ctx["course_nav"]), *where),
                         render("course_main_nav"))
    logout = ctx.get("course_host_logout")
    account = pageshell.kept(
        store, ("account_nav", ctx["course_user_id"], ctx["course_user_name"],
                ctx["course_accounts"], (logout.url, logout.post) if logout else None,
                ctx.get("course_host_login_url"),
                bool(app.config.get("COURSE_OPEN_REGISTRATION")), *where),
        render("course_account_nav", course_csrf_token=lambda: pageshell.TOKEN))
    # Asked of Flask, not of the session: something earlier in the request (a host's context
    # processor, say) may have read them already; the template then gets the same ones.
    if has_flashes() or ctx["course_content_problems"]:
        flashes = env.get_template("course/_flashes.html").render(context())
    else:
        flashes = pageshell.kept(store, ("no_flashes",), lambda: env.get_template(
            "course/_flashes.html").render(context()))
    return {"main_nav": nav, "account_nav": account.replace(pageshell.TOKEN, token),
            "flashes": flashes}


def _lesson_parts(shell: pageshell.Shell, info: CourseInfo, found: Lesson, module: Any,
                  progress: CourseProgress, step: standing.StepLink | None,
                  practice: dict[int, str | bytes]) -> dict[str, str | bytes]:
    """This request's parts of the lesson page: header, messages, marks, end, next link."""
    token = csrf_token()
    # A host's own layout has no marked parts: only the plugin's layout asks for these. Its
    # processors run before the plugin's (Flask's order), so these values are the template's.
    parts = _layout_parts(template_context(), token) if "main_nav" in shell.names else {}
    app = this_app()
    env, store = app.jinja_env, pageshell.store()
    macros = env.get_template("course/lessons/_lesson_parts.html").module  # made once
    done = progress.is_done(found)
    seconds = app.config["COURSE_AUTO_COMPLETE_SECONDS"]
    # Kept by what their links are built from, as the shell is (the links are made only then).
    root = this_request().script_root
    parts["lesson_end"] = pageshell.kept(
        store, ("lesson_end", done, info.slug, found.slug, root, seconds),
        lambda: str(macros.lesson_end(done, url_for(
            "course.lessons.complete", course=info.slug, lesson=found.slug),
            pageshell.TOKEN, seconds)),
    ).replace(pageshell.TOKEN, token)

    def overview() -> str:
        return url_for("course.lessons.overview", course=info.slug)

    if step is not None and step.step.kind in (LESSON, QUIZ):  # said by kind, title and time
        target = step.step.lesson.slug if step.step.lesson is not None else None
        parts["next"] = pageshell.kept(
            store, ("next", info.slug, root, step.step.kind, target, step.step.module,
                    step.step.title, step.step.retry_at),
            lambda: str(macros.next_link(step, overview())))
    else:  # the capstone's or the certificate's wording reads the learner's standing
        parts["next"] = str(macros.next_link(step, overview()))
    parts["module_done"] = str(module.done)
    for lesson in module.lessons:
        parts[f"done:{lesson.slug}"] = DONE_MARK if progress.is_done(lesson) else ""
    for number, block in practice.items():
        parts[f"practice:{number}"] = block
    return parts


@login_required
def complete(course: str, lesson: str) -> Response | tuple[Response, int]:
    """Record that the learner finished a lesson (button, or the page's end-of-lesson script)."""
    info, found, progress = _lesson(course, lesson)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    if not CompleteForm().validate_on_submit():
        if wants_json:
            return jsonify(error="The page has expired; reload it."), 400
        flash("The page had expired. Please mark the lesson complete again.", "error")
        return redirect(url_for("course.lessons.lesson_page", course=course, lesson=lesson))
    if not progress.module_of(found).unlocked:
        abort(403)
    user_id = current_user_id()
    newly = services.complete_lesson(db_session(), user_id, found)
    db_session().commit()
    issued = None
    if newly:
        signals.lesson_completed.send(current_app._get_current_object(), user_id=user_id,
                                      course=info.slug, module=found.module, lesson=found.slug)
        issued = after_progress(user_id, info.slug)
    if wants_json:
        return jsonify(done=True, newly=newly, **({"next": url_for(
            "course.certificates.completion", course=course)} if issued else {}))
    flash(f"“{found.title}” is complete.", "success")
    if issued is not None:  # the moment the course is done: its completion page
        return redirect(url_for("course.certificates.completion", course=course))
    step = step_for(info, progress_for(info), after=found)
    return redirect(step.url if step is not None else
                    url_for("course.lessons.overview", course=course))


@login_required
def resume(course: str) -> Response:
    """Continue where you left off: the unfinished lesson being read, else the next step."""
    info = _course(course)
    step = step_for(info, progress_for(info), resume=True)
    return redirect(step.url if step is not None else
                    url_for("course.lessons.overview", course=course))


@login_required
def my_learning() -> str:
    """Every course with this learner's progress, the ones in progress first."""
    catalog = content().catalog
    started = services.courses_started(db_session(), current_user_id())
    order = {slug: i for i, slug in enumerate(started)}
    courses = sorted(catalog.courses, key=lambda c: order.get(c.slug, len(order)))
    items = []
    for info in courses:
        progress = progress_for(info)
        step = step_for(info, progress, resume=True)
        items.append((progress, step, due_for(step, info.slug)))
    return render_template("course/lessons/my_learning.html", items=items)


def course_file(course: str, path: str) -> Response:
    """An image that sits next to the lessons; only files the catalogue listed are served."""
    info = _course(course)
    if path not in info.assets:
        abort(404)
    folder = (get_state().content_root(current_app) / "lessons" / info.slug).resolve()
    target = (folder / path).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        abort(404)
    response = send_file(target, mimetype=MIMETYPES[target.suffix.lower()], max_age=3600)
    response.headers["Content-Security-Policy"] = ASSET_CSP
    response.headers["Content-Disposition"] = "inline"
    return response


def create_blueprint() -> Blueprint:
    """The `course.lessons` blueprint."""
    from . import handouts, trainer

    bp = Blueprint("lessons", __name__)
    bp.add_url_rule("/", view_func=index, endpoint="index")
    bp.add_url_rule("/catalogue", view_func=catalogue)
    bp.add_url_rule("/my-learning", view_func=my_learning)
    bp.add_url_rule("/courses/<course>/", view_func=overview)
    bp.add_url_rule("/courses/<course>/continue", view_func=resume)
    bp.add_url_rule("/courses/<course>/lessons/<lesson>", view_func=lesson_page)
    bp.add_url_rule("/courses/<course>/lessons/<lesson>/complete", view_func=complete,
                    methods=["POST"])
    bp.add_url_rule("/courses/<course>/files/<path:path>", view_func=course_file)
    handouts.add_rules(bp)
    bp.add_url_rule("/trainer/", view_func=trainer.home, endpoint="trainer_home")
    bp.add_url_rule("/trainer/courses/<course>/learners", view_func=trainer.learners,
                    endpoint="trainer_learners")
    return bp

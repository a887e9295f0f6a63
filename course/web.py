"""Web plumbing every feature's views share: forms with CSRF, safe redirects, security headers
(those live in `course.headers`)."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import current_app, g, request, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.routing import IntegerConverter, Map
from wtforms import ValidationError

from .ctx import this_app, this_g, this_session
from .headers import DEFAULT_CSP, add_security_headers, csp_nonce

__all__ = ["DEFAULT_CSP", "CourseForm", "IdConverter", "add_security_headers", "client_address",
           "csp_nonce", "csrf_token", "page_number", "safe_next", "text_arg"]

#: The largest id a plugin table holds (its integer columns are 32-bit on PostgreSQL).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<course_id:name>` in the plugin's routes: a row id. A number beyond what the id columns
    hold matches no route (404), rather than overflowing in the database (a 500)."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


#: Signed CSRF tokens already made, by secret and session token: signing costs a tenth of a
#: lesson page, and the same session's token signed a minute ago is as good (its age counts
#: against COURSE_CSRF_TIME_LIMIT, which is hours). Bounded; kept per worker process.
_SIGNED: dict[tuple[str | bytes, str], tuple[str, float]] = {}
SIGNED_FRESH_SECONDS = 60
MAX_SIGNED = 4096


def csrf_token() -> str:
    """This request's signed CSRF token: Flask-WTF's `generate_csrf`, reusing the token signed
    for the same session token within the last minute (forms in the request then get it too)."""
    app, here = this_app(), this_g()
    config = app.config
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    made = here.get(name)
    if made is not None:  # this request's token, made already (what generate_csrf would return)
        return made
    session = this_session()
    raw, secret = session.get(name), config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    if not isinstance(secret, str | bytes):
        return generate_csrf()
    now = time.monotonic()
    if isinstance(raw, str):
        known = _SIGNED.get((secret, raw))
        if known is not None and 0 <= now - known[1] < SIGNED_FRESH_SECONDS:
            setattr(here, name, known[0])
            return known[0]
    token = generate_csrf()  # the session's first token is made here too, and kept the same way
    raw = session.get(name)
    if isinstance(raw, str):
        if len(_SIGNED) >= MAX_SIGNED:
            _SIGNED.clear()
        _SIGNED[(secret, raw)] = (token, now)
    return token


_CSRF_LOG = logging.getLogger("flask_wtf.csrf")
#: CSRF tokens found valid, by secret, session token, token and time limit: until when each
#: stays valid (its signing time plus the limit, as Flask-WTF counts). Checking the signature
#: again would give the same answer for the same four, so a learner's next quiz post skips it.
_VALID: dict[tuple[object, ...], float] = {}


def csrf_valid() -> bool:
    """What `CourseForm().validate_on_submit()` says of a form with nothing but its CSRF token,
    without building the form (a quiz start or submit would pay for one on every post): a
    submitting method and a valid token, unless CSRF is off or the host's CSRFProtect has
    checked this request already."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True) or g.get("csrf_valid", False):
        return True
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    data = request.form.get(name)
    if not request.form and request.is_json:  # as Flask-WTF reads a form: the JSON body then
        body = request.get_json(silent=True)
        data = body.get(name) if isinstance(body, dict) else None
    secret, limit = (config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key),
                     config["COURSE_CSRF_TIME_LIMIT"])
    raw = session.get(name)
    # Only text is remembered: a JSON body may carry any value (a list cannot be a key).
    key = (secret, raw, data, limit) if isinstance(raw, str) and isinstance(data, str) and \
        isinstance(limit, int) and limit > 0 and isinstance(secret, str | bytes) else None
    ends = _VALID.get(key) if key is not None else None
    if ends is not None and time.time() <= ends:
        return True
    try:
        validate_csrf(data, secret, limit, name)
    except ValidationError as exc:
        _CSRF_LOG.info(exc.args[0])  # the line Flask-WTF logs for a refused form
        return False
    if key is not None:
        signed = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        try:  # valid a moment ago; it may have reached its limit since: then remember nothing
            _, stamp = signed.loads(data, max_age=limit, return_timestamp=True)
        except BadData:
            return True
        if len(_VALID) >= MAX_SIGNED:
            _VALID.clear()
        _VALID[key] = stamp.timestamp() + limit
    return True


class CourseForm(FlaskForm):
    """Base of every plugin form: CSRF-protected, with a token that outlives the longest quiz."""

    class Meta(FlaskForm.Meta):
        @property
        def csrf_time_limit(self) -> int:  # type: ignore[override]
            return current_app.config["COURSE_CSRF_TIME_LIMIT"]

    @property
    def csrf_failed(self) -> bool:
        """True when the form was refused only for its CSRF token (expired or missing)."""
        token = getattr(self, "csrf_token", None)
        return bool(token is not None and token.errors)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (never `//host`, a scheme, or `/\\host`)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if target.startswith("//"):
        return None
    return target


#: The last page number a listing accepts: beyond it OFFSET would overflow the database's integer
#: (a 500); no listing has that many pages.
MAX_PAGE = 1_000_000


def page_number() -> int:
    """The `?page=` asked for, kept within 1..MAX_PAGE (anything else reads as page 1)."""
    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)


def id_arg(name: str) -> int | None:
    """A row id in the query string (`?after=42`), or None when absent, not a number, or out
    of what the id columns hold (a larger number would overflow in PostgreSQL: a 503)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def text_arg(name: str, limit: int = 100) -> str:
    """A free-text query argument (a search), without control characters (PostgreSQL refuses
    NUL in text: a 503, not an empty result) and at most `limit` characters."""
    raw = request.args.get(name, "")[:limit * 4]
    return "".join(ch for ch in raw if ch.isprintable() or ch == " ").strip()[:limit]


def client_address() -> str:
    """The address rate limits count against (the proxy setup is the deployment's concern)."""
    return request.remote_addr or "unknown"

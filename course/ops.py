"""Running in production: request ids, structured (JSON) logs, the security event log, and the
health endpoints a load balancer or orchestrator asks (`/healthz`, `/readyz`).

Logs never carry secrets: the security log records the event, the user id, the client address,
the endpoint name and the request id; never a password, a token, a query string or a path (a
reset link's token is in its path).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    request,
)
from sqlalchemy import text
from werkzeug.wrappers import Response

from . import signals
from .ctx import in_request, this_g, this_request
from .headers import add_missing, security_headers
from .state import get_state
from .web import client_address

log = logging.getLogger(__name__)
security_log = logging.getLogger("course.security")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def assign_request_id() -> None:
    """before_request: the caller's X-Request-ID when it looks like one, else a new one."""
    here = this_g()
    if here.get("course_request_id"):
        return  # already assigned (a host may run the hook for its own pages too)
    incoming = this_request().environ.get("HTTP_X_REQUEST_ID", "")  # the X-Request-ID header
    # 32 random hex digits, as uuid4().hex gives, at a fifth of its cost.
    here.course_request_id = incoming if REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()


def finish_response(response: Response) -> Response:
    """after_request: the plugin's security headers and the request id, in one hook and one
    pass over the response's headers."""
    ours = security_headers(response)
    request_id = this_g().get("course_request_id")
    # Ours are checked when built; the id was checked by REQUEST_ID or made here (printable
    # text is one line).
    add_missing(response, (*ours, ("X-Request-ID", request_id)) if request_id else ours,
                checked=not request_id or (type(request_id) is str and request_id.isprintable()))
    return response


def current_request_id() -> str | None:
    return this_g().get("course_request_id") if in_request() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any `extra`."""

    STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": _redacted(record, record.getMessage())}
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in self.STANDARD})
        if record.exc_info:
            entry["exception"] = redact_tokens(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """The default format: time, level, process, logger and message, then the request id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = _redacted(record, super().format(record))  # "Exception on /account/reset/..."
        request_id = current_request_id()
        return f"{line} request_id={request_id}" if request_id and (
            "request_id=" not in record.getMessage()) else line


def _redacted(record: logging.LogRecord, text: str) -> str:
    """`text` with its tokens redacted, unless the record carries a message whose links must
    reach a developer (an email written to the log because no mail server is set)."""
    return text if getattr(record, "course_unredacted", False) else redact_tokens(text)


def configure_logging(app: Flask) -> None:
    """Send the plugin's loggers (the security log included) to stderr at INFO, as text or, with
    COURSE_LOG_FORMAT=json, one JSON object per line. Called by whatever owns the process (the
    gunicorn configuration, `python -m course serve`), never by `init_app` in a host, whose
    logging is its own."""
    logger = logging.getLogger("course")
    for old in [h for h in logger.handlers if getattr(h, "course_handler", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler()
    handler.course_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if app.config.get("COURSE_LOG_FORMAT") == "json"
                         else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


#: Path segments that carry a secret: password-reset, invitation, unsubscribe and
#: email-change confirmation tokens.
#: Also URL-encoded, as in a host log-in's `next` back to an invitation (`%2F`, `%252F`).
_SLASH = r"(?:/|%2F|%252F)"
TOKEN_IN_PATH = re.compile(rf"({_SLASH}(?:reset|invitations|unsubscribe|confirm){_SLASH})"
                           r"(?!\d+(?:[/?#&%\s\"]|$))[^/?#&%\s\"]+", re.IGNORECASE)
TOKEN_IN_QUERY = re.compile(r"([?&](?:token|code)=)[^&#\s\"]+", re.IGNORECASE)


def redact_tokens(text: str) -> str:
    """`text` (a request line, a path, a referrer) with every token replaced by [redacted]."""
    return TOKEN_IN_QUERY.sub(r"\1[redacted]", TOKEN_IN_PATH.sub(r"\1[redacted]", text))


SECURITY_EXTRAS = ("org_id", "object", "object_id", "code", "reason", "course", "by")


def record_security_event(sender: Flask, *, event: str, user_id: str | None = None,
                          remote_addr: str | None = None, **extra: Any) -> None:
    """Signal receiver: one line in the security log per event (no secrets, see above). The
    message itself carries the fields, so the text format shows them too."""
    fields: dict[str, Any] = {"event": event, "user_id": user_id, "remote_addr": remote_addr,
                              "request_id": current_request_id()}
    if has_request_context():
        fields["endpoint"] = request.endpoint
        if remote_addr is None:
            fields["remote_addr"] = client_address()
        if g.get("course_org_id") is not None:
            fields["org_id"] = g.course_org_id
    fields.update({k: v for k, v in extra.items() if k in SECURITY_EXTRAS and v is not None})
    details = " ".join(f"{k}={_field(v)}" for k, v in fields.items() if k != "event")
    security_log.info("security event %s %s", event, details, extra={"security": fields})


def _field(value: Any) -> str:
    """A value for a key=value line: quoted when it has spaces, `-` when missing."""
    if value is None:
        return "-"
    text = str(value).replace("\n", " ")[:200]
    return json.dumps(text) if (" " in text or '"' in text or not text) else text


def security_event(event: str, **fields: Any) -> None:
    """Record a security event about the current request (the current user, their address)."""
    from .identity import current_user_id

    signals.security_event.send(current_app._get_current_object(), event=event,
                                user_id=current_user_id(), remote_addr=client_address(),
                                **fields)


def refuse(kind: str, object_id: object) -> NoReturn:
    """404 for an object the current user may not have (another learner's attempt, another
    organisation's certificate), recorded in the security log."""
    security_event("object-refused", object=kind, object_id=object_id)
    abort(404)


def _revoked(sender: Flask, **event: Any) -> None:
    record_security_event(sender, event="certificate-revoked", user_id=event.get("by"),
                          code=event.get("code"), reason=event.get("reason"),
                          course=event.get("course"))


def connect(app: Flask) -> None:
    signals.security_event.connect(record_security_event, sender=app)
    signals.certificate_revoked.connect(_revoked, sender=app)


def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


def readyz() -> tuple[Response, int]:
    """Readiness: the database answers and the content is loaded without errors."""
    checks: dict[str, str] = {}
    state = get_state()
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means: not ready
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        checks["database"] = "unreachable"
    if checks["database"] == "ok":
        try:
            loaded = state.content()
            checks["content"] = "ok" if not loaded.errors else f"{len(loaded.errors)} problem(s)"
        except Exception as exc:
            log.warning("readiness: content not loaded: %s", type(exc).__name__)
            checks["content"] = "not loaded"
    for check, problem in state.warm_up_problems.items():
        checks[check] = problem
    ready = all(v == "ok" for v in checks.values()) and "content" in checks
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


def create_blueprint() -> Blueprint:
    bp = Blueprint("ops", __name__)
    bp.add_url_rule("/healthz", view_func=healthz)
    bp.add_url_rule("/readyz", view_func=readyz)
    return bp


def permission_denied(user_id: str | None) -> None:
    """Record a 403 in the security log."""
    signals.security_event.send(current_app._get_current_object(), event="permission-denied",
                                user_id=user_id, remote_addr=client_address())


def warm(app: Flask) -> None:
    """Make a fresh worker fast from its first request: load the content and run each
    feature's warm-up (the certificates render one throwaway certificate per template).

    Nothing here may stop the worker from booting (gunicorn's master exits when workers keep
    failing to boot): a failure is logged and kept for /readyz, and the page that needs the
    broken part answers with its own clean error page."""
    state = get_state(app)
    with app.app_context():
        try:
            state.content()
        except Exception:  # readiness reports it from its own check
            log.exception("warm-up: content not loaded")
        for step in state.warm_ups:
            try:
                step(app)
            except Exception as exc:  # each step records its own problems; this is a backstop
                log.exception("warm-up step %s failed", getattr(step, "__name__", step))
                state.warm_up_problems.setdefault("warm-up", type(exc).__name__)

"""Every COURSE_* configuration key, its default, and what it means.

`DEFAULTS` is the single source: the plugin applies it with `app.config.setdefault`, the README's
configuration table lists every key in it (a test checks), and `from_environ` reads the same keys
from environment variables for the standalone app.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default and a one-line explanation."""

    key: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("COURSE_CONTENT_ROOT", None,
            "Folder holding lessons/, quizzes/ and certificates/; None uses the sample course."),
    Setting("COURSE_CONTENT_RELOAD", None,
            "Re-read changed content files on the next page load; None: only in debug mode."),
    Setting("COURSE_RENDER_BUDGET_SECONDS", 5,
            "Longest a lesson may take to render before it counts as a content error."),
    Setting("COURSE_AUTO_COMPLETE_SECONDS", 15,
            "A lesson counts as complete when its end has been on screen and the learner has "
            "spent this long on it; 0 leaves it to the 'Mark complete' button."),
    Setting("COURSE_SITE_NAME", "Social Divide Academy", "Name shown in the header and emails."),
    Setting("COURSE_THEME_CSS", None,
            "URL of a stylesheet loaded after the course's design tokens (tokens.css), to "
            "restyle every page by overriding them; same origin unless the CSP allows more."),
    Setting("COURSE_OPEN_REGISTRATION", True,
            "Standalone only: anyone may create a learner account."),
    Setting("COURSE_RATELIMIT_STORAGE_URL", "memory://",
            "Where rate-limit counters live; use redis://host:6379 when several processes serve."),
    Setting("COURSE_RATELIMIT_LOGIN", "10/minute",
            "Log-in attempts allowed per client address and, separately, per account."),
    Setting("COURSE_RATELIMIT_REGISTER", "5/hour", "Registrations allowed per client address."),
    Setting("COURSE_RATELIMIT_RESET", "5/hour",
            "Password-reset requests allowed per client address and per account."),
    Setting("COURSE_RATELIMIT_VERIFY", "60/minute",
            "Certificate verification look-ups allowed per client address."),
    Setting("COURSE_CERTIFICATE_EMAIL", True,
            "Email each learner their certificate PDF when it is issued or renewed."),
    Setting("COURSE_CERTIFICATE_NAME_CHANGES", 2,
            "How many times a holder may have one certificate re-issued with a new name "
            "themselves (the verify page says the name was changed at their request); 0 leaves "
            "name changes to administrators."),
    Setting("COURSE_RECERTIFY_DAYS", 90,
            "A certificate can be renewed (by retaking the factor quizzes) this many days "
            "before it expires, and at any time after."),
    Setting("COURSE_BASE_URL", "http://127.0.0.1:5000",
            "The site's address as learners reach it: every link in emails and certificates "
            "starts with it, never with the request's Host (a host's SERVER_NAME or base_url "
            "hook comes first); the plugin's URL prefix is added to it."),
    Setting("COURSE_CAPSTONE_UPLOAD_MAX_BYTES", 5_000_000,
            "Largest capstone attachment (PDF, DOCX, PNG or JPEG) a learner may upload."),
    Setting("COURSE_CAPSTONE_UPLOAD_FOLDER", "capstone-uploads",
            "Where capstone attachments are stored, relative to the instance folder (or an "
            "absolute path); never inside a static folder."),
    Setting("COURSE_INVITATION_DAYS", 14,
            "Days an invitation link to an organisation stays valid."),
    Setting("COURSE_REMINDER_EXPIRY_DAYS", 30,
            "`send-reminders` reminds learners whose certificate expires within this many days."),
    Setting("COURSE_JOBS_REDIS_URL", None,
            "Redis URL for bulk certificate jobs on RQ workers (`flask course worker`); None "
            "runs them in a local process pool."),
    Setting("COURSE_JOBS_QUEUE", "course-certificates",
            "The RQ queue bulk certificate jobs go to."),
    Setting("COURSE_BULK_WORKERS", 2,
            "Processes rendering certificates in a local bulk job (more than cores adds nothing)."),
    Setting("COURSE_LOG_FORMAT", "text",
            "`json` writes the plugin's logs (with request ids, and the security event log) as "
            "one JSON object per line."),
    Setting("COURSE_TRUSTED_PROXIES", 0,
            "Standalone only: how many reverse proxies in front set X-Forwarded-For/-Proto "
            "(0: trust none)."),
    Setting("COURSE_TRUSTED_HOSTS", None,
            "Standalone only: comma-separated host names the site answers to (others get 400); "
            "None: only the host of COURSE_BASE_URL (any loopback name if it is one)."),
    Setting("COURSE_PASSWORD_MIN_LENGTH", 10, "Shortest password accepted."),
    Setting("COURSE_ARGON2_TIME_COST", 2, "Argon2id iterations (OWASP minimum 2 with 19 MiB)."),
    Setting("COURSE_ARGON2_MEMORY_KIB", 19456, "Argon2id memory in KiB (OWASP minimum 19456)."),
    Setting("COURSE_ARGON2_PARALLELISM", 1, "Argon2id lanes."),
    Setting("COURSE_RESET_TOKEN_HOURS", 1, "Hours a password-reset link stays valid."),
    Setting("COURSE_EMAIL_CHANGE_HOURS", 24,
            "Hours the link that confirms a new email address stays valid (standalone)."),
    Setting("COURSE_CSRF_TIME_LIMIT", 4 * 3600,
            "Seconds a form's CSRF token lives; longer than the longest quiz."),
    Setting("COURSE_MAIL_SERVER", None,
            "SMTP host; None writes each message in full, links included, to the log as a "
            "WARNING of `course.mail` instead (development)."),
    Setting("COURSE_MAIL_PORT", 25, "SMTP port."),
    Setting("COURSE_MAIL_USE_TLS", False, "Upgrade the SMTP connection with STARTTLS."),
    Setting("COURSE_MAIL_USE_SSL", False, "Connect to the SMTP server over TLS from the start."),
    Setting("COURSE_MAIL_USERNAME", None, "SMTP user name, if the server needs a login."),
    Setting("COURSE_MAIL_PASSWORD", None, "SMTP password."),
    Setting("COURSE_MAIL_SENDER", "Social Divide Academy <no-reply@localhost>",
            "From address of every message."),
    Setting("COURSE_MAIL_TIMEOUT", 10, "Seconds to wait for the SMTP server."),
    Setting("COURSE_SQLITE_PRAGMAS", None,
            "Turn on WAL, foreign keys and a busy timeout for SQLite engines; None: only on the "
            "plugin's own database (standalone), never on a host's engine; True: on a host's "
            "too; False: never."),
    Setting("COURSE_SEND_MAIL", None,
            "A callable (or its import path, `package.module:name`) that sends each outgoing "
            "`email.message.EmailMessage`, attachments included; None: the host's Flask-Mail "
            "or Flask-Mailman if registered, else COURSE_MAIL_SERVER, else the log."),
    Setting("COURSE_BLUEPRINT_NAME", "course",
            "Name of the plugin's blueprint (endpoints `<name>.lessons.index`, ...); change it "
            "when the host already has a blueprint called `course`."),
    Setting("COURSE_SQLITE_BUSY_TIMEOUT_MS", 5000, "How long SQLite waits for a lock."),
    Setting("COURSE_CSP", None,
            "Content-Security-Policy of the plugin's pages: \"strict\" (the plugin's policy, "
            "widened by COURSE_CSP_EXTRA, with a csp_nonce() for inline scripts), \"host\" (send "
            "none; the host's own policy applies), or a whole policy string. None: \"strict\" "
            "standalone, \"host\" when mounted in a host."),
    Setting("COURSE_CSP_EXTRA", None,
            "Sources added to the \"strict\" policy, per directive: a dict such as "
            "{\"script-src\": [\"https://cdn.example\"]}, or \"script-src https://cdn.example; "
            "style-src https://cdn.example\"."),
    Setting("COURSE_HOST_LOGOUT_ENDPOINT", None,
            "Mounted in a host: the endpoint of the host's log-out view, linked from the "
            "course's header (log-in links use Flask-Login's login_view); None tries "
            "\"logout\", \"auth.logout\" and \"security.logout\"."),
    Setting("COURSE_DATABASE_URL", None,
            "Standalone only: SQLAlchemy URL; None is SQLite in the instance folder."),
    Setting("COURSE_SECURE_COOKIES", False,
            "Standalone only: mark session and remember cookies Secure (serve over https)."),
    Setting("COURSE_REMEMBER_DAYS", 14, "Standalone only: lifetime of the remember-me cookie."),
    Setting("COURSE_SESSION_IDLE_MINUTES", 120,
            "Standalone only: a session unused this long ends (remember-me signs back in)."),
    Setting("COURSE_SESSION_MAX_HOURS", 336,
            "Standalone only: a sign-in ends this long after it, remember-me included."),
)

DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}

STRONG_SECRET_MIN_LENGTH = 32
#: SHA-256 of every secret key written down in this repository (tests, examples): they are
#: public, so however long they are, production refuses them. A test keeps the list complete.
PUBLISHED_SECRETS = frozenset({
    "37eafab0b53c9437c9efff63cc53ac22f79bd972efea4fa1d44240fbe4b8a524",
    "cbd10285aba1b611611e3c7bc1c93342e34f30fdcbdc299db5dbcca165e63992",
    "5037435e0b0860d0fba5b83ae39ba460a691629ced7e2c2fb7ba05f1a2f227f2",
    "fc209aa669571769a0676b79e85cb22fcfd331c0fd3343b5938959b3f9b1f431",
    "781c987d109d2719c341aae004ae58b73602fa4f025dc9fa5303332a47ee3f1f",
    "ea708f440c4b83b4620e416a615370b2e00d2fcbd6d2b5f150b5353eaac452f5",
    "6970e55942268d655e6b2e7f18bab8566819b6539b407507fc663a6e21655f93",
    "0096833632704b319c0efdbcaf65c05620157661f947d9b19b48dc9b95e3850d",
})


def apply_defaults(config: dict[str, Any]) -> None:
    """Set every COURSE_* default the host has not set itself."""
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)


def _parse(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read COURSE_* keys (and SECRET_KEY) from environment variables, typed like the defaults."""
    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        if key in environ:
            found[key] = _parse(environ[key], default)
    if environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    return found


def is_strong_secret(secret: object) -> bool:
    """True when the secret is long enough, not an obvious placeholder and not one published
    in this repository."""
    if isinstance(secret, bytes):
        secret = secret.decode("latin-1")
    if not isinstance(secret, str) or len(secret) < STRONG_SECRET_MIN_LENGTH:
        return False
    if hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest() in PUBLISHED_SECRETS:
        return False
    return len(set(secret)) >= 8

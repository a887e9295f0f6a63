"""Outgoing email: through the host's hook, the host's mail extension, SMTP, or the log.

`send` picks the first that applies: the COURSE_SEND_MAIL hook (a callable or an import path
taking the `email.message.EmailMessage`, attachments included); a mail extension of the host
(Flask-Mail, Flask-Mailman: found by the finders the plugin registers, see `course.hostmail`);
the plugin's own COURSE_MAIL_* SMTP settings; else the log.

Without any of them a message is written in full, links included, as a WARNING of the
`course.mail` logger: it shows under Python's default settings (stderr) and in the standalone
site's console, so a developer's first invitation is never lost. Such a record is marked
`course_unredacted`, and the plugin's log formatters leave its links as they are (every other
line has its tokens redacted)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from importlib import import_module
from typing import Any

log = logging.getLogger(__name__)

#: Delivers one message.
Transport = Callable[[EmailMessage], None]
#: Finders of a host's mail extension: given the app's config, a transport or None. The plugin
#: registers its own (Flask-Mail, Flask-Mailman) when it is set up on an app.
TRANSPORT_FINDERS: list[Callable[[Mapping[str, Any]], Transport | None]] = []


def resolve_hook(value: object) -> Transport | None:
    """The COURSE_SEND_MAIL hook: a callable, or an import path `package.module:name` (or
    `package.module.name`) of one; None when unset."""
    if value is None or value == "":
        return None
    if callable(value):
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        raise TypeError(f"COURSE_SEND_MAIL must be a callable or an import path, not {value!r}")
    module, sep, name = value.partition(":")
    if not sep:
        module, _, name = value.rpartition(".")
    hook = getattr(import_module(module), name)
    if not callable(hook):
        raise TypeError(f"COURSE_SEND_MAIL {value!r} is not callable")
    return hook


def build_message(config: Mapping[str, Any], to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    msg = EmailMessage()
    msg["From"] = config["COURSE_MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="course.local")
    msg.set_content(body)
    return msg


def as_text(msg: EmailMessage) -> str:
    """The message as a person reads it: its headers, then its decoded body (links whole, never
    broken by quoted-printable line folding)."""
    headers = "".join(f"{name}: {msg[name]}\n" for name in ("From", "To", "Subject"))
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    attached = [f"[attached: {part.get_filename() or part.get_content_type()}]"
                for part in msg.iter_attachments()]
    return headers + "\n" + text + "".join(f"\n{line}" for line in attached)


def send(config: Mapping[str, Any], msg: EmailMessage) -> None:
    """Deliver `msg` through the hook, the host's mail extension or the COURSE_MAIL_* server;
    log it instead when there is none of them."""
    transport = resolve_hook(config.get("COURSE_SEND_MAIL"))
    if transport is None:
        for finder in TRANSPORT_FINDERS:
            transport = finder(config)
            if transport is not None:
                break
    if transport is not None:
        transport(msg)
        log.info("email %r handed to %s", msg["Subject"],
                 getattr(transport, "__qualname__", type(transport).__name__))
        return
    host = config.get("COURSE_MAIL_SERVER")
    if not host:
        log.warning("email not sent (no COURSE_MAIL_SERVER set, nor a COURSE_SEND_MAIL hook or "
                    "a mail extension); here it is:\n%s", as_text(msg),
                    extra={"course_unredacted": True})
        return
    port = int(config["COURSE_MAIL_PORT"])
    timeout = config["COURSE_MAIL_TIMEOUT"]
    if config.get("COURSE_MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("COURSE_MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("COURSE_MAIL_USERNAME"):
            smtp.login(config["COURSE_MAIL_USERNAME"], config["COURSE_MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
    log.info("email %r sent to %s", msg["Subject"], msg["To"])

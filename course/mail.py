"""Outgoing email over SMTP, or to the log when no SMTP server is configured (development).

Without COURSE_MAIL_SERVER a message is written in full, links included, as a WARNING of the
`course.mail` logger: it shows under Python's default settings (stderr) and in the standalone
site's console, so a developer's first invitation is never lost. Such a record is marked
`course_unredacted`, and the plugin's log formatters leave its links as they are (every other
line has its tokens redacted)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

log = logging.getLogger(__name__)


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
    """Deliver `msg` with the COURSE_MAIL_* settings; log it instead when no server is set."""
    host = config.get("COURSE_MAIL_SERVER")
    if not host:
        log.warning("email not sent (no COURSE_MAIL_SERVER set); here it is:\n%s",
                    as_text(msg), extra={"course_unredacted": True})
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

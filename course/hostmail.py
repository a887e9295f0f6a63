"""Mail through the host's own mail extension: Flask-Mail or Flask-Mailman, when the host has
registered one on its app (before or after the plugin: it is looked up when a message leaves).

The plugin's `email.message.EmailMessage` becomes the extension's own message (subject, body,
recipients, attachments) and is sent with it, so the host's settings apply (server, TLS,
credentials, MAIL_SUPPRESS_SEND, a testing outbox, MAIL_BACKEND). The From address is the
host's default sender unless the host set COURSE_MAIL_SENDER itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr, getaddresses
from typing import Any

from flask import current_app, has_app_context

from .config import DEFAULTS
from .mail import TRANSPORT_FINDERS, Transport


def _sender(msg: EmailMessage, config: Mapping[str, Any], default: Any) -> str:
    """The plugin's sender if the host chose one, else the extension's default sender."""
    if config.get("COURSE_MAIL_SENDER") != DEFAULTS["COURSE_MAIL_SENDER"] or not default:
        return str(msg["From"])
    if isinstance(default, tuple | list):
        return formataddr((default[0], default[1]))
    return str(default)


def _parts(msg: EmailMessage) -> tuple[str, list[str], list[tuple[str, str, bytes]]]:
    """The plain-text body, the recipients and the attachments (name, type, bytes)."""
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    recipients = [formataddr(pair) for pair in getaddresses(msg.get_all("To", []))]
    attachments = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True) or b""
        attachments.append((part.get_filename() or "attachment", part.get_content_type(), data))
    return text, recipients, attachments


def flask_mail_transport(state: Any, config: Mapping[str, Any]) -> Transport:
    """Send with Flask-Mail (its `app.extensions["mail"]`)."""

    def send_with_flask_mail(msg: EmailMessage) -> None:
        from flask_mail import Message

        text, recipients, attachments = _parts(msg)
        message = Message(subject=str(msg["Subject"]), recipients=recipients, body=text,
                          sender=_sender(msg, config, getattr(state, "default_sender", None)))
        for name, content_type, data in attachments:
            message.attach(name, content_type, data)
        state.send(message)

    return send_with_flask_mail


def flask_mailman_transport(state: Any, config: Mapping[str, Any]) -> Transport:
    """Send with Flask-Mailman (its `app.extensions["mailman"]`)."""

    def send_with_flask_mailman(msg: EmailMessage) -> None:
        from flask_mailman import EmailMessage as MailmanMessage

        text, recipients, attachments = _parts(msg)
        message = MailmanMessage(
            subject=str(msg["Subject"]), body=text, to=recipients,
            from_email=_sender(msg, config, getattr(state, "default_sender", None)),
            connection=state.get_connection())
        for name, content_type, data in attachments:
            message.attach(name, data, content_type)
        message.send()

    return send_with_flask_mailman


def find_host_mail(config: Mapping[str, Any]) -> Transport | None:
    """The current app's Flask-Mail or Flask-Mailman, if `config` is its configuration."""
    if not has_app_context() or current_app.config is not config:
        return None
    extensions = current_app.extensions
    mailman = extensions.get("mailman")
    if mailman is not None and hasattr(mailman, "get_connection"):
        return flask_mailman_transport(mailman, config)
    mail = extensions.get("mail")
    if mail is not None:
        if hasattr(mail, "get_connection"):  # Flask-Mailman registered under "mail"
            return flask_mailman_transport(mail, config)
        if hasattr(mail, "send") and hasattr(mail, "connect"):  # Flask-Mail
            return flask_mail_transport(mail, config)
    return None


def register() -> None:
    """Let `course.mail.send` use a host's mail extension (once per process)."""
    if find_host_mail not in TRANSPORT_FINDERS:
        TRANSPORT_FINDERS.append(find_host_mail)

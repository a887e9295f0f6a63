"""Documented blinker signals reach a host's receivers."""

from __future__ import annotations

from flask import Flask

from course import signals
from tests.conftest import login, register


def test_registration_and_security_events_are_signalled(standalone_app: Flask) -> None:
    seen: list[tuple[str, dict]] = []

    def on_registered(sender, **kwargs):
        seen.append(("registered", kwargs))

    def on_security(sender, **kwargs):
        seen.append(("security", kwargs))

    with signals.user_registered.connected_to(on_registered, standalone_app), \
            signals.security_event.connected_to(on_security, standalone_app):
        register(standalone_app.test_client(), email="lea@example.com")
        login(standalone_app.test_client(), "lea@example.com", "wrong password!!")
    registered = [k for name, k in seen if name == "registered"]
    assert len(registered) == 1
    assert registered[0]["email"] == "lea@example.com" and registered[0]["by_admin"] is False
    assert registered[0]["user_id"].isdigit()
    events = [k["event"] for name, k in seen if name == "security"]
    assert "register" in events and "login-failed" in events

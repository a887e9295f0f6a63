"""Passwords on a common-password list (zxcvbn's, with its variants) are refused everywhere a
password is chosen: registration, change, reset, and the `create-user` / `set-password` commands."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from course.accounts.passwords import is_common
from tests.conftest import Mailbox, login, register, submit
from tests.test_cli import run

COMMON = ["password1234", "qwertyuiop", "1q2w3e4r5t6y", "P@ssw0rd2024!", "iloveyou2024"]
MESSAGE = "This password is too common"
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("password", COMMON)
def test_registration_refuses_a_common_password(standalone_app: Flask, password: str) -> None:
    response = submit(standalone_app.test_client(), "/account/register", {
        "display_name": "Lea", "email": "lea@example.com", "password": password,
        "confirm": password})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert login(standalone_app.test_client(), "lea@example.com", password).status_code == 401


def test_change_and_reset_refuse_a_common_password(standalone_app: Flask,
                                                   mailbox: Mailbox) -> None:
    client = standalone_app.test_client()
    register(client, email="lea@example.com")
    changed = submit(client, "/account/password", {"current": PASSWORD,
                                                    "password": "password1234",
                                                    "confirm": "password1234"})
    assert changed.status_code == 400 and MESSAGE in changed.get_data(as_text=True)
    submit(standalone_app.test_client(), "/account/forgot", {"email": "lea@example.com"})
    [message] = mailbox.wait_for(1)
    path = re.search(r"http://localhost(/account/reset/\S+)",
                     message.get_payload(decode=True).decode()).group(1)
    reset = submit(standalone_app.test_client(), path, {"password": "qwertyuiop",
                                                        "confirm": "qwertyuiop"})
    assert reset.status_code == 400 and MESSAGE in reset.get_data(as_text=True)
    assert login(standalone_app.test_client(), "lea@example.com", PASSWORD).status_code == 302


def test_the_commands_refuse_a_common_password(standalone_app: Flask) -> None:
    created = run(standalone_app, "create-user", "max@example.com", stdin="password1234\n")
    assert created.exit_code == 1 and MESSAGE in created.output
    run(standalone_app, "create-user", "max@example.com", stdin="a long enough password\n")
    changed = run(standalone_app, "set-password", "max@example.com", stdin="1234567890\n")
    assert changed.exit_code == 1 and MESSAGE in changed.output
    assert login(standalone_app.test_client(), "max@example.com",
                 "a long enough password").status_code == 302


def test_a_password_built_from_the_account_and_uncommon_ones_are_judged_apart() -> None:
    assert is_common("lea@example.com1", ("lea@example.com", "Lea Learner"))
    for fine in ("correct horse battery", "a long trainer password", "another password 1",
                 "Tr0ub4dour&3", "x" * 100):
        assert not is_common(fine), fine

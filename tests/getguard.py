"""A guard for the whole suite: a GET (or HEAD) request never changes anything.

Every statement sent to any engine while a GET or HEAD request is being handled is checked; a
write (INSERT, UPDATE, DELETE, UPSERT) fails the request, and so the test that made it. The
exceptions change nothing a person could be harmed by: the rendered-lesson cache (what the content
already says) and the record of a visit (when a learner last opened a lesson, so "Continue" finds
it, and the learner's name for the trainer's list), which never marks anything complete.
"""

from __future__ import annotations

import re

import pytest
from flask import g, has_request_context, request, request_started
from sqlalchemy import event
from sqlalchemy.engine import Engine

from course.db import mark_plain_listener

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|REPLACE)\b", re.IGNORECASE)
#: Caches of what the content files already say, filled on first read.
CACHES = ("course_rendered_lesson",)
#: Records of a visit, allowed on a GET as long as the statement names none of these columns:
#: the audit trail (who exported what) is a log of the GET itself.
VISITS = {"course_learner": (), "course_lesson_progress": ("completed_at", "completed_version"),
          "course_audit_event": ()}


class WriteOnGet(AssertionError):
    """A GET request tried to change the database."""


def _target(statement: str) -> str:
    match = re.search(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([a-z0-9_]+)",
                      statement, re.IGNORECASE)
    return match.group(1).lower() if match else ""


def _dispatching(sender, **extra) -> None:  # noqa: ANN001, ANN003
    g.getguard_dispatching = True  # a request from a client, not a CLI's request context


@mark_plain_listener  # reads the statement only: the plugin's fast reads pass it theirs too
def _check(conn, cursor, statement: str, parameters, *args):  # noqa: ANN001, ANN201
    _guard(statement)
    return statement, parameters  # registered with retval=True (what mark_plain_listener asks)


def _guard(statement: str) -> None:
    if not has_request_context() or request.method not in ("GET", "HEAD") or not g.get(
            "getguard_dispatching"):
        return
    if not WRITE.match(statement):
        return
    table = _target(statement)
    if table in CACHES or (table in VISITS and not any(
            column in statement for column in VISITS[table])):
        return
    raise WriteOnGet(f"GET {request.path} wrote: {statement[:200]}")


@pytest.fixture(autouse=True, scope="session")
def get_never_writes():
    """Installed for every engine the suite creates."""
    event.listen(Engine, "before_cursor_execute", _check, retval=True)
    request_started.connect(_dispatching)
    yield
    request_started.disconnect(_dispatching)
    event.remove(Engine, "before_cursor_execute", _check)

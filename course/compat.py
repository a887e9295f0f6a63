"""Flask 3.0 support: what Flask 3.1 does from configuration, done by hand on 3.0.

Flask 3.1 reads TRUSTED_HOSTS, MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS from the config and lets
a view raise `request.max_content_length` for its own request. On Flask 3.0 the standalone site
gets a request class that does the same (`standalone_request_class`); mounted in a host on 3.0,
a view's raised limit is not available and the host's MAX_CONTENT_LENGTH applies
(`raise_request_limit`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

#: Flask 3.1 or later: the configuration keys above work by themselves.
FLASK_31 = "TRUSTED_HOSTS" in Flask.default_config


def raise_request_limit(limit: int) -> None:
    """Let this request's body be up to `limit` bytes (checked before it is read)."""
    try:
        request.max_content_length = limit
    except AttributeError:  # Flask 3.0 with Flask's own request class: the app's limit holds
        pass


def standalone_request_class(app: Flask) -> None:
    """On Flask 3.0, give the standalone app a request class honouring its TRUSTED_HOSTS and
    form limits and a settable max_content_length, and check the Host of every request."""
    if FLASK_31:
        return
    config = app.config
    base: Any = app.request_class

    class CourseRequest(base):  # type: ignore[misc, valid-type]
        trusted_hosts = config.get("TRUSTED_HOSTS")
        max_form_memory_size = config.get("MAX_FORM_MEMORY_SIZE")
        max_form_parts = config.get("MAX_FORM_PARTS") or 1000
        _course_limit: int | None = None

        @property
        def max_content_length(self) -> int | None:
            if self._course_limit is not None:
                return self._course_limit
            return config.get("MAX_CONTENT_LENGTH")

        @max_content_length.setter
        def max_content_length(self, value: int | None) -> None:
            self._course_limit = value

    app.request_class = CourseRequest

    @app.before_request
    def _check_host() -> None:
        request.host  # noqa: B018 - raises SecurityError (400) for an untrusted Host

"""Absolute links that leave the site (emails, certificates, commands), built from the configured
site address and never from the request's `Host` header, which a client chooses.

The address is, in order: the plugin's `base_url` hook (a host serving several domains), the
app's `SERVER_NAME` (with `PREFERRED_URL_SCHEME` and `APPLICATION_ROOT`), else
`COURSE_BASE_URL`. The standalone site also answers only to that address's host unless
`COURSE_TRUSTED_HOSTS` says otherwise (`trusted_hosts`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask import url_for as flask_url_for

from .ctx import in_request, this_app, this_request
from .state import find_state

LOOPBACK = ("127.0.0.1", "localhost")


def site_address(app: Flask | None = None) -> str:
    """The site's address as learners reach it, e.g. `https://learn.example.com/app`."""
    app = app or current_app
    state = find_state(app)
    hook = state.base_url if state is not None else None
    if hook is not None:
        address = str(hook())
    elif app.config.get("SERVER_NAME"):
        root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
        scheme = app.config.get("PREFERRED_URL_SCHEME") or "http"
        address = f"{scheme}://{app.config['SERVER_NAME']}{root}"
    else:
        address = str(app.config["COURSE_BASE_URL"])
    return address.rstrip("/")


def endpoint_name(endpoint: str, app: Flask | None = None) -> str:
    """The real name of a plugin endpoint written "course.…" when the host renamed the
    plugin's blueprint (COURSE_BLUEPRINT_NAME); any other endpoint as it is."""
    state = find_state(app)
    name = state.blueprint_name if state is not None else "course"
    if name != "course" and endpoint.startswith("course."):
        return name + endpoint[len("course"):]
    return endpoint


#: What a request's URL adapter is bound from (`Map.bind_to_environ`): a link built for one
#: request is the same for every request that agrees on these.
_BOUND_BY = ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "wsgi.url_scheme")
#: Links kept per app; a full store starts again.
MAX_LINKS = 4096


def url_for(endpoint: str, **values: Any) -> str:
    """`flask.url_for` for the plugin's code and templates: "course.…" endpoints follow
    COURSE_BLUEPRINT_NAME.

    In a request, a link with plain text or number values is kept per app and per what the
    request's URL adapter depends on, and built once: werkzeug's build costs tens of
    microseconds, and a lesson page asks for several. Not kept: links with Flask's own options
    (`_external`, `_anchor`, ...), or when the app has URL default functions (they may read the
    request)."""
    if not in_request():
        return flask_url_for(endpoint_name(endpoint), **values)
    app = this_app()
    state = find_state(app)
    if state is None or any(app.url_default_functions.values()):
        return flask_url_for(endpoint_name(endpoint, app), **values)
    environ = this_request().environ
    key = [environ.get(name) for name in _BOUND_BY]
    key.append(endpoint)
    for name, value in values.items():
        if name[:1] == "_" or type(value) not in (str, int):
            return flask_url_for(endpoint_name(endpoint, app), **values)
        key += (name, value)
    links, frozen = state.links, tuple(key)
    built = links.get(frozen)
    if built is None:
        built = flask_url_for(endpoint_name(endpoint, app), **values)
        if len(links) >= MAX_LINKS:
            links.clear()
        links[frozen] = built
    return built


#: Stands for the varying value while `url_maker` builds its one URL.
_SLOT = 918273645


def url_maker(endpoint: str, field: str, **values: Any) -> Any:
    """`url_for(endpoint, **{field: n}, **values)` for many whole numbers `n` (a table's row
    links): built once and filled in by a string join, where each `url_for` would cost tens of
    microseconds (200 of them on a page of 50 members). Falls back to `url_for` if the number
    standing for `n` shows up anywhere else in the URL."""
    built = url_for(endpoint, **{field: _SLOT}, **values)
    head, found, tail = built.partition(str(_SLOT))
    if not found or str(_SLOT) in tail:
        return lambda n: url_for(endpoint, **{field: n}, **values)
    return lambda n: f"{head}{int(n)}{tail}"


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` on the configured site (works outside a request too)."""
    app = current_app._get_current_object()
    endpoint = endpoint_name(endpoint, app)
    address = urlsplit(site_address(app))
    adapter = app.url_map.bind(address.netloc, script_name=address.path or "/",
                               url_scheme=address.scheme or "http")
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def trusted_hosts(config: dict[str, Any]) -> list[str]:
    """Host names the standalone site answers to: COURSE_TRUSTED_HOSTS, else the host of its
    address (any loopback name when that is a loopback address, for development)."""
    configured = config.get("COURSE_TRUSTED_HOSTS")
    if configured:
        return [h.strip() for h in str(configured).split(",") if h.strip()]
    address = config.get("SERVER_NAME") or urlsplit(str(config["COURSE_BASE_URL"])).netloc
    host = urlsplit(f"//{address}").hostname or "localhost"
    return list(LOOPBACK) if host in LOOPBACK else [host]

"""The security headers of the plugin's pages, and the per-request CSP nonce templates use.

Standalone, the site is the plugin's own: a strict Content-Security-Policy (no inline script,
nothing from another origin), `frame-ancestors 'none'`, nosniff, a referrer policy. Mounted in a
host, the host owns the page (its layout, its CDN assets, its inline scripts), so by default the
plugin sends no policy of its own and the host's, if any, applies (`COURSE_CSP = "host"`). A host
may instead opt in to the plugin's policy (`COURSE_CSP = "strict"`), widened with
`COURSE_CSP_EXTRA` sources per directive, plus a nonce for its inline scripts: `csp_nonce()`, a
Jinja global, gives the nonce of the current request and the header names it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from flask.wrappers import Response

from .ctx import in_request, this_app, this_g
from .errors import CourseConfigError

#: The plugin's own policy, directive by directive (the order of the header).
STRICT_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
DEFAULT_CSP = "; ".join(f"{name} {' '.join(srcs)}" for name, srcs in STRICT_POLICY.items())
#: `COURSE_CSP` values with a meaning; any other string is sent as the whole policy.
STRICT, HOST = "strict", "host"
#: Directives a nonce is added to (when the page used one).
NONCE_DIRECTIVES = ("script-src", "style-src")
_DIRECTIVE = re.compile(r"^[a-z][a-z-]*$")
_NONCE_KEY = "_course_csp_nonce"


def csp_nonce() -> str:
    """The nonce of the current request (the same on every call), for
    `<script nonce="{{ csp_nonce() }}">`; empty outside a request."""
    if not in_request():
        return ""
    here = this_g()
    nonce = here.get(_NONCE_KEY)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(here, _NONCE_KEY, nonce)
    return nonce


def csp_mode(config: Mapping[str, Any]) -> str:
    """"strict", "host", or "custom" (COURSE_CSP holds the whole policy)."""
    value = config.get("COURSE_CSP") or HOST
    return value if value in (STRICT, HOST) else "custom"


def parse_extra(extra: object) -> dict[str, tuple[str, ...]]:
    """COURSE_CSP_EXTRA as {directive: sources}: a mapping of directive to a list of sources (or
    one space-separated string), or a string in policy syntax ("script-src https://cdn.x; ...").
    Raises CourseConfigError for anything a header could not carry safely."""
    if not extra:
        return {}
    if isinstance(extra, str):
        pairs = [part.strip().split(None, 1) for part in extra.split(";") if part.strip()]
        extra = {p[0]: p[1] if len(p) > 1 else "" for p in pairs}
    if not isinstance(extra, Mapping):
        raise CourseConfigError("COURSE_CSP_EXTRA must be a dict of directive -> sources, or a "
                                "string like \"script-src https://cdn.example\"")
    parsed: dict[str, tuple[str, ...]] = {}
    for directive, sources in extra.items():
        name = str(directive).strip().lower()
        if not _DIRECTIVE.match(name):
            raise CourseConfigError(f"COURSE_CSP_EXTRA: {directive!r} is not a CSP directive")
        items = sources.split() if isinstance(sources, str) else list(sources)
        for source in items:
            if not isinstance(source, str) or not source or any(
                    ch in source for ch in ";,\r\n\t ") or not source.isprintable() or (
                    not source.isascii()):  # a header is Latin-1 at most; IDNs as punycode
                raise CourseConfigError(
                    f"COURSE_CSP_EXTRA[{directive!r}]: {source!r} is not one CSP source")
        parsed[name] = tuple(items)
    return parsed


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse, at start-up, a COURSE_CSP_EXTRA the header could not carry."""
    parse_extra(config.get("COURSE_CSP_EXTRA"))
    custom = config.get("COURSE_CSP")
    if csp_mode(config) == "custom" and (not isinstance(custom, str) or "\n" in custom
                                         or "\r" in custom or not custom.isascii()
                                         or not custom.isprintable()):
        raise CourseConfigError("COURSE_CSP must be \"strict\", \"host\" or a one-line policy")


def strict_policy(extra: object = None, nonce: str | None = None) -> str:
    """The plugin's policy widened with `extra` sources and, if given, a nonce."""
    policy = {name: list(srcs) for name, srcs in STRICT_POLICY.items()}
    for name, sources in parse_extra(extra).items():
        if name not in policy:
            # A directive of the host's own, possibly bare (upgrade-insecure-requests).
            policy[name] = list(dict.fromkeys(sources))
            continue
        current = [s for s in policy[name] if s != "'none'"]  # 'none' with sources is void
        added = [s for s in sources if s not in current]
        policy[name] = (current + added) or ["'none'"]
    if nonce:
        for name in NONCE_DIRECTIVES:
            # A nonce makes browsers ignore 'unsafe-inline': a host that allowed inline
            # code for a directive keeps it.
            if "'unsafe-inline'" not in policy[name]:
                policy[name].append(f"'nonce-{nonce}'")
    return "; ".join(f"{name} {' '.join(srcs)}".rstrip() for name, srcs in policy.items())


#: Strict policies without a nonce, by the repr of COURSE_CSP_EXTRA (a handful per process).
_POLICIES: dict[str, str] = {}


#: The plugin's headers for a response, by what they depend on, when no nonce is in them.
_KEPT_HEADERS: dict[tuple[str, str, str, bool], tuple[tuple[str, str], ...]] = {}


def security_headers(response: Response) -> tuple[tuple[str, str], ...]:
    """The plugin's headers for `response`: the CSP of COURSE_CSP, nosniff, a referrer policy,
    framing rules, and no-store for a page (built once per configuration without a nonce)."""
    config = this_app().config
    mode = csp_mode(config)
    nonce = this_g().get(_NONCE_KEY) if mode == STRICT else None
    html = response.mimetype == "text/html"
    key = (mode, repr(config.get("COURSE_CSP_EXTRA")),
           config["COURSE_CSP"] if mode == "custom" else "", html)
    if not nonce:
        kept = _KEPT_HEADERS.get(key)
        if kept is not None:
            return kept
    ours: list[tuple[str, str]] = []
    if mode == STRICT:
        extra = config.get("COURSE_CSP_EXTRA")
        if nonce:
            policy = strict_policy(extra, nonce)
        else:  # the same for every response of this configuration: built once
            policy = _POLICIES.get(key[1]) or _POLICIES.setdefault(key[1], strict_policy(extra))
        ours.append(("Content-Security-Policy", policy))
        if "frame-ancestors 'none'" in policy:
            ours.append(("X-Frame-Options", "DENY"))
        ours.append(("Cross-Origin-Opener-Policy", "same-origin"))
    elif mode == "custom":
        ours += [("Content-Security-Policy", config["COURSE_CSP"]),
                 ("X-Frame-Options", "DENY"), ("Cross-Origin-Opener-Policy", "same-origin")]
    else:
        # The host's page: its framing and opener rules are its own; nothing of ours may
        # break its embeds or sign-in pop-ups, and the plugin's pages are never framed across
        # sites unless the host says so.
        ours.append(("X-Frame-Options", "SAMEORIGIN"))
    ours += [("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "strict-origin-when-cross-origin")]
    if html:
        ours.append(("Cache-Control", "no-store"))
    made = tuple(one_line(name, value) for name, value in ours)
    if not nonce:
        if len(_KEPT_HEADERS) >= 64:
            _KEPT_HEADERS.clear()
        _KEPT_HEADERS[key] = made
    return made


def add_security_headers(response: Response) -> Response:
    """The plugin's headers (`security_headers`), never replacing one already on the response
    (a view's own, or the host's)."""
    add_missing(response, security_headers(response))
    return response


def add_missing(response: Response, headers: Sequence[tuple[str, str]], *,
                checked: bool = False) -> None:
    """Add each header the response does not have yet, as `Headers.setdefault` would, with
    one pass over the response's headers (each `setdefault` of a missing header raises and
    catches an exception inside werkzeug).

    `checked` says every name and value is a one-line `str` already (the plugin's own headers,
    checked when they were built): they are then appended as they are, without werkzeug's
    per-header checks (a regular expression over each value, a third of this call)."""
    into = response.headers
    present = {name.lower() for name in into.keys()}
    missing = [(name, value) for name, value in headers if name.lower() not in present]
    kept = getattr(into, "_list", None) if checked else None
    if type(kept) is list:
        kept.extend(missing)
        return
    for name, value in missing:
        into.add(name, value)


def one_line(name: str, value: str) -> tuple[str, str]:
    """The header (`name`, `value`), refused unless both are text on one line (what werkzeug
    checks on every `add`), for a header built once and added as it is (`add_missing`)."""
    if not (type(name) is str and type(value) is str) or any(
            c in name + value for c in "\r\n\x00"):
        raise ValueError(f"header {name!r} must be one line of text")
    return name, value

"""Rate limits for log-in, registration, password reset and other look-ups an attacker repeats.

Built on the `limits` library with a moving window. Counters live where
COURSE_RATELIMIT_STORAGE_URL says: `memory://` counts per process (right for one process only),
`redis://host:port` shares the counts between every process and machine that serves the app.
"""

from __future__ import annotations

import logging

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class RateLimiter:
    """Counts hits per (rule name, identifier) and says whether a hit is still allowed."""

    def __init__(self, storage_url: str) -> None:
        self.storage_url = storage_url
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def hit(self, rule: str, scope: str, *identifiers: str) -> bool:
        """Record one hit; False when `rule` (e.g. "5/minute") is already exhausted."""
        allowed = self._limiter.hit(parse(rule), "course", scope, *identifiers)
        if not allowed:  # who hit it is the security log's business (no email addresses here)
            log.debug("rate limit %s hit", scope)
        return allowed

    def reset(self) -> None:
        """Forget every counter (tests and administrators)."""
        self._limiter.storage.reset()

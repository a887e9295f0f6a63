"""Work done after the response, in a thread, so that a request's timing reveals nothing.

Used where answering at once matters more than the work (a password-reset request must take the
same time for a known and an unknown address). Threads are tracked per app so that shutdown and
tests can wait for them with `join_all`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


class BackgroundTasks:
    """Runs callables in daemon threads inside an app context and remembers them until done."""

    def __init__(self) -> None:
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def submit(self, app: Flask, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` in a new thread with `app`'s context pushed."""

        def run() -> None:
            try:
                with app.app_context():
                    fn(*args)
            except Exception:
                log.exception("background task %s failed", getattr(fn, "__name__", fn))
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="course-task", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def join_all(self, timeout: float = 10.0) -> None:
        """Wait for every running task (up to `timeout` seconds each)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

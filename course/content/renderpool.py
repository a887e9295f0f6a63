"""Rendering under a time budget: lessons render in a worker process that is killed when a
lesson takes too long, because Python-Markdown is quadratic on some inputs and a thread that runs
away cannot be stopped. One warm worker per process is kept for the next load."""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

from .markdown import Rendered, RenderJob

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
STARTUP_SECONDS = 60.0  # a cold interpreter on a busy machine; not part of any lesson's budget


class _Worker:
    """One `python -m course.content.renderworker` process and its pipes."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (PACKAGE_PARENT, os.environ.get("PYTHONPATH")) if p)}
        self.proc = subprocess.Popen([sys.executable, "-m", "course.content.renderworker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.buffer = b""
        self.ready = self._read_line(STARTUP_SECONDS) == b'"ready"'

    def _read_line(self, seconds: float) -> bytes | None:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.selector.select(remaining):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def render(self, request: bytes, budget: float) -> bytes | None:
        """The worker's reply to one encoded job, or None when it ran over budget or died."""
        try:
            self.proc.stdin.write(request + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return None
        return self._read_line(budget)

    def stop(self) -> None:
        """End the worker and reap it."""
        self.selector.close()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()
        self.proc.kill()
        self.proc.wait()


_lock = threading.Lock()
_worker: _Worker | None = None
#: Replies already rendered in this process, by request: rendering is a pure function of the
#: job, so a lesson rendered once (for another database, another app, a check) is not sent to
#: the worker again. Bounded by bytes; the oldest go first.
_done: OrderedDict[bytes, bytes] = OrderedDict()
_done_bytes = 0
DONE_MAX_BYTES = 32 * 1024 * 1024


def _encode(job: RenderJob) -> bytes:
    return json.dumps({"path": job.path, "rel": job.rel, "body": job.body,
                       "body_line": job.body_line, "lessons": job.lessons,
                       "assets": sorted(job.assets)}, sort_keys=True).encode()


def _decode(reply: bytes) -> Rendered:
    data = json.loads(reply)
    return Rendered(data["html"], data["toc"],
                    [(line_no, reason) for line_no, reason in data["problems"]])


def _remember(request: bytes, reply: bytes) -> None:
    global _done_bytes
    if len(request) + len(reply) > DONE_MAX_BYTES // 4:
        return
    _done[request] = reply
    _done_bytes += len(request) + len(reply)
    while _done_bytes > DONE_MAX_BYTES:
        old_request, old_reply = _done.popitem(last=False)
        _done_bytes -= len(old_request) + len(old_reply)


def _stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None


atexit.register(_stop_worker)


def render_with_budget(jobs: list[RenderJob], budget_seconds: float) -> list[Rendered]:
    """Render each job in the worker; a job over budget comes back as a problem, not a hang."""
    global _worker
    results: list[Rendered] = []
    with _lock:
        for job in jobs:
            request = _encode(job)
            if (reply := _done.get(request)) is not None:
                _done.move_to_end(request)
                results.append(_decode(reply))
                continue
            if _worker is None:
                _worker = _Worker()
            if not _worker.ready:
                _stop_worker()
                results.append(Rendered(problems=[(None, "the lesson renderer did not start")]))
                continue
            reply = _worker.render(request, budget_seconds)
            if reply is None:
                _stop_worker()
                results.append(Rendered(problems=[(None, (
                    f"rendering took longer than {budget_seconds:g} s; simplify deeply nested "
                    "brackets, lists or quotes"))]))
                continue
            _remember(request, reply)
            results.append(_decode(reply))
    return results

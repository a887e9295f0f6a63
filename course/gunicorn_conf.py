"""The production server's settings: `gunicorn -c python:course.gunicorn_conf wsgi:app`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers; default one per core),
GUNICORN_MAX_REQUESTS (recycle a worker after this many requests, a leak guard; default 2000).
Each worker warms its renderer and content once before it takes requests. Logs go to stderr: the
access log (with reset and invitation tokens redacted) and the plugin's logs, the security log
included, at INFO; set COURSE_LOG_FORMAT=json for one JSON object per line.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "sync"
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
timeout = 60  # a bulk page or a cold PDF render stays well under this
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
logger_class = "course.gunicorn_conf.RedactingLogger"
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk


class RedactingLogger(Logger):
    """Gunicorn's logger, with tokens taken out of every access-log field (request line, path,
    referrer...): a reset link in a log is a way into someone's account."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        from course.ops import redact_tokens

        return {key: redact_tokens(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


def post_worker_init(worker: Any) -> None:
    """Send the app's logs to stderr, then warm the new worker: content loaded, one certificate
    rendered per template. A failure is logged and reported by /readyz; it never stops the
    worker (the master would give up)."""
    from course.ops import configure_logging, warm

    configure_logging(worker.wsgi)
    try:
        warm(worker.wsgi)
    except Exception:
        worker.log.exception("warm-up failed; the worker serves anyway (see /readyz)")

"""A real production server for these tests: gunicorn with our configuration file, on a free
port on 127.0.0.1, serving the standalone site from a fresh instance folder; stopped by its
own pid afterwards."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A minimal HTTP client with cookies, for a server in another process. Redirects are
    followed unless `follow=False`."""

    def __init__(self, base: str, follow: bool = True) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers: list = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow:
            handlers.append(_NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)
        self.headers: object = None  # the last response's headers

    def open(self, path: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str,
                                                                                      str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=timeout) as response:
                self.headers = response.headers
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            self.headers = exc.headers
            with exc:
                return exc.code, exc.geturl(), exc.read().decode()

    def token(self, path: str) -> str:
        return TOKEN.search(self.open(path)[2]).group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen
    env: dict[str, str]
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, dict(exc.headers), exc.read()

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True).stdout
        return [int(p) for p in out.split()]


def start_gunicorn(tmp: Path, db_url: str, workers: int = 2, *, ready: str = "/readyz",
                   **env: str) -> Gunicorn:
    """Migrate, start and wait until `ready` answers 200 (/healthz for a server expected to
    run while not ready)."""
    port = free_port()
    environment = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
                   "COURSE_INSTANCE_PATH": str(tmp), "COURSE_DATABASE_URL": db_url,
                   "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
                   "COURSE_LOG_FORMAT": "json", **env}
    migrate = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "course", "db",
                              "upgrade"], cwd=ROOT, env=environment, capture_output=True,
                             text=True)
    assert migrate.returncode == 0, migrate.stderr
    log = tmp / "gunicorn.log"
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:course.gunicorn_conf", "wsgi:app"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    server = Gunicorn(f"http://127.0.0.1:{port}", process, environment, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if server.get(ready)[0] == 200:
                return server
        except OSError:
            pass
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        time.sleep(0.3)
    stop(server)
    raise AssertionError("gunicorn did not become ready:\n" + log.read_text())


def stop(server: Gunicorn) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)


@pytest.fixture
def gunicorn_server(tmp_path: Path, db_url: str) -> Iterator[Gunicorn]:
    server = start_gunicorn(tmp_path, db_url)
    yield server
    stop(server)

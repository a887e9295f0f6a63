"""The lower bounds in pyproject.toml really work: a venv with every direct dependency at its
lowest allowed version (`==` of each `>=` bound) runs a smoke test (import, create_app, a lesson,
a certificate PDF). The venv is kept in .venv-lowest/<hash of the pins and Python>, so only the
first run after a change of the lower bounds installs anything."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
BOUND = re.compile(r"^([A-Za-z0-9_.\[\]-]+)>=([^,;\s]+)$")

pytestmark = pytest.mark.slow


def lowest_pins() -> list[str]:
    """Each direct dependency pinned to its lower bound."""
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = []
    for dep in deps:
        match = BOUND.match(dep.replace(" ", ""))
        assert match, f"{dep!r}: give every dependency a plain >= lower bound"
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def index_reachable(python: str) -> bool:
    """Whether pip reaches its package index (the configured one; no address here)."""
    try:
        probe = subprocess.run([python, "-m", "pip", "download", "--no-deps", "--quiet",
                                "--dest", str(ROOT / ".venv-lowest" / "probe"), "six==1.16.0"],
                               capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


def test_the_lowest_allowed_versions_run_the_course() -> None:
    pins = lowest_pins()
    key = hashlib.sha256("\n".join([sys.version, *pins]).encode()).hexdigest()[:16]
    venv = ROOT / ".venv-lowest" / key
    python = venv / "bin" / "python"
    ready = venv / "installed"
    if not ready.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        if not index_reachable(str(python)):
            pytest.skip("the package index is unreachable: cannot build the lowest-versions venv")
        result = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                                 "--disable-pip-version-check", *pins],
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        ready.write_text("\n".join(pins) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    smoke = subprocess.run([str(python), "-W", "ignore", str(ROOT / "tests/lowest/smoke.py")],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert smoke.returncode == 0, smoke.stdout[-3000:] + smoke.stderr[-3000:]
    assert "smoke ok" in smoke.stdout

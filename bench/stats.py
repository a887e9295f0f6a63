"""Small helpers every bench part shares: medians with their spread, the machine's load, and a
checkout of another revision to measure against in the same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def spread(values: list[float], digits: int = 1) -> str:
    """`median (min–max)` of repeated measurements."""
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def load() -> str:
    """The machine's 1-minute load average now (other work on a shared machine shows here)."""
    return f"{os.getloadavg()[0]:.2f}"


def cpu_seconds(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by the worker processes of the gunicorn master
    `master_pid` (read from /proc; a worker that restarted starts from zero again)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def capstone_optional(dest: Path, source: Path | None = None) -> Path:
    """A copy of the sample content (of `source`, the repository by default) in `dest` whose
    capstone is optional: the shipped course requires a trainer to pass each learner's plan,
    and the journey and bulk benchmarks (and most of the test suite) are about lessons, quizzes
    and issuing, not reviewing."""
    import shutil

    source = source or Path(__file__).resolve().parent.parent
    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(source / name, dest / name)
    manifest = dest / "lessons" / "social-divide" / "course.yaml"
    text = manifest.read_text()
    if "\n  required: true\n" not in text:
        raise ValueError(f"{manifest}: the sample course's capstone is no longer required")
    manifest.write_text(text.replace("\n  required: true\n", "\n  required: false\n"))
    return dest


def checkout(revision: str, dest: Path) -> Path:
    """The files of a git revision of this repository in `dest` (no work tree is touched); a
    folder given instead of a revision is used as it is (a tree prepared by hand)."""
    if Path(revision).is_dir():
        return Path(revision).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def tree_env(env: dict, tree: Path) -> dict:
    """`env` for processes that must import the `course` package of `tree`."""
    return {**env, "PYTHONPATH": str(tree)}


def settle(master_pid: int, timeout: float = 30.0) -> None:
    """Wait until the gunicorn master `master_pid`'s workers are idle (no CPU used for a
    quarter of a second): requests a load generator abandoned when it stopped are still
    served, and would otherwise load the machine during the next measurement."""
    ends = time.monotonic() + timeout
    before = cpu_seconds(master_pid)
    while time.monotonic() < ends:
        time.sleep(0.25)
        now = cpu_seconds(master_pid)
        if now - before < 0.01:
            return
        before = now

"""The render worker process: reads RenderJobs as JSON lines on stdin, writes results to stdout.

Started by `renderpool`; never imported by the web app itself.
"""

from __future__ import annotations

import json
import sys

from .markdown import RenderJob, render_lesson


def main() -> None:
    """Serve render requests until stdin closes."""
    sys.stdout.buffer.write(b'"ready"\n')  # imports done: from here on, time is rendering
    sys.stdout.buffer.flush()
    for line in sys.stdin.buffer:
        raw = json.loads(line)
        job = RenderJob(raw["path"], raw["rel"], raw["body"], raw["body_line"], raw["lessons"],
                        frozenset(raw["assets"]))
        try:
            out = render_lesson(job)
            reply = {"html": out.html, "toc": out.toc, "problems": out.problems}
        except Exception as exc:  # a bug must not look like a hang
            reply = {"html": "", "toc": "", "problems": [[None, f"renderer error: {exc!r}"]]}
        sys.stdout.buffer.write(json.dumps(reply).encode() + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()

"""Certificate benchmark: our warm renderer against a naive WeasyPrint render of the same
template in the same run, and the renderer's memory over many PDFs.

Run with `./bench/run --only certificates` (or as part of `./bench/run`).
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.certificates.render import (  # noqa: E402
    CertificateData,
    CertificateRenderer,
    Factor,
)

TEMPLATE = ROOT / "certificates" / "default"


def sample(i: int) -> CertificateData:
    code = f"bench{i:027d}"
    return CertificateData(f"Learner Number {i}", "The Social Divide",
                           (Factor("Social Graph & Presence", "92"), Factor("Organisation", "88"),
                            Factor("Role Model", "90"), Factor("Education", "85")),
                           "26 November 2026", "26 November 2028", code,
                           f"https://academy.example/verify/{code}", "Social Divide Academy")


def naive(renderer: CertificateRenderer, data: CertificateData) -> bytes:
    """What a first implementation does: fresh font configuration and stylesheet every time."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(filename=str(TEMPLATE / "certificate.css"), font_config=fonts,
              url_fetcher=renderer.fetcher, base_url=renderer.base_url)
    with renderer.document(data) as document:  # the same HTML, QR code included
        return document.write_pdf(stylesheets=[css], font_config=fonts, pdf_variant="pdf/a-3b")


def rss_mb() -> float:
    """Resident memory now, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(count: int = 1000, rounds: int = 15) -> None:
    renderer = CertificateRenderer(TEMPLATE)
    renderer.render(sample(0))
    naive(renderer, sample(0))  # both warm: imports and fonts loaded once
    ours, theirs = [], []
    for i in range(rounds):
        start = time.perf_counter()
        naive(renderer, sample(i))
        theirs.append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = renderer.render(sample(i))
        ours.append(time.perf_counter() - start)
    ratio = statistics.median(ours) / statistics.median(theirs)
    print("\n| certificate render | median ms |\n|---|---|")
    print(f"| naive WeasyPrint (fresh fonts and CSS) | {1000 * statistics.median(theirs):.1f} |")
    print(f"| our warm renderer | {1000 * statistics.median(ours):.1f} |")
    print(f"ratio: {ratio:.2f}x the naive render (target <= 0.75x): "
          f"{'met' if ratio <= 0.75 else 'NOT met'}; PDF size {len(pdf):,} bytes "
          f"(target <= 50 KB)")
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    for i in range(count):
        renderer.render(sample(i))
    elapsed = time.perf_counter() - start
    gc.collect()
    growth = rss_mb() - before
    print(f"{count} certificates in one process: {elapsed:.1f} s ({count / elapsed:.0f}/s); "
          f"memory growth {growth:.1f} MB (target < 5 MB per 1,000): "
          f"{'met' if growth < 5 * count / 1000 else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

"""Certificates: the one issuing path (`issuing`), the renderer, verification and the pages."""

from __future__ import annotations

import logging

from flask import Flask

from ..state import CourseState

log = logging.getLogger(__name__)


def init_feature(app: Flask, state: CourseState) -> None:
    """The certificates' part in the app: their pages, and warming their templates up."""
    from .views import create_blueprint

    state.blueprints.append(create_blueprint())
    state.warm_ups.append(warm_templates)


def warm_templates(app: Flask) -> None:
    """Render a throwaway certificate with each bundled template (fonts, stylesheets, images
    cached); a template that fails is named for /readyz."""
    from ..state import get_state
    from .render import CertificateData, Factor, renderer_for

    state = get_state(app)
    try:
        folder = state.content_root(app) / "certificates"
        templates = sorted(p for p in folder.iterdir() if (p / "certificate.html").is_file())
    except Exception as exc:  # e.g. no certificates folder at all
        log.exception("warm-up: certificate templates not warmed")
        state.warm_up_problems["certificates"] = type(exc).__name__
        return
    sample = CertificateData("Warm Up", "Warm-up", (Factor("Factor", "100"),), "today",
                             None, "warmup", "https://example.invalid/verify/warmup", "warm-up")
    failed = []
    for template in templates:
        try:
            renderer_for(template).render(sample)
        except Exception as exc:
            log.error("warm-up: certificate template %s does not render: %s", template.name, exc)
            failed.append(template.name)
    if failed:
        state.warm_up_problems["certificates"] = "template(s) failing: " + ", ".join(failed)

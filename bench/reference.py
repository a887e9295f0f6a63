"""The reference page of performance.md: bare Flask serving a cached 20 KB Jinja page.

Every page benchmark is reported as a ratio against this, measured in the same run, because
absolute speed differs from machine to machine.
"""

from flask import Flask

PARAGRAPH = ("<p>Building a useful network takes steady, patient work over months; what matters "
             "is who you reach and what you share, not the count.</p>\n")
PAGE = ("<!doctype html><html lang=\"en\"><head><title>{{ title }}</title></head><body><main>"
        + PARAGRAPH * (20_000 // len(PARAGRAPH)) + "</main></body></html>")

app = Flask(__name__)
TEMPLATE = app.jinja_env.from_string(PAGE)


@app.route("/")
def page() -> str:
    """The 20 KB page, rendered from a compiled template."""
    return TEMPLATE.render(title="Reference")

"""The standalone training site, for `flask --app wsgi ...` and `gunicorn wsgi:app`."""

from course import create_app

app = create_app()

"""Entry point: ``flask --app app run`` and the ``flask`` commands use this application."""

from registry import create_app

app = create_app()

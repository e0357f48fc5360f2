"""`doudi serve`: serve the web app and run the scheduled tasks in-process.

This is the embedded default: no broker, no separate worker. Production
runs gunicorn, a Celery worker and Celery beat against Redis instead.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from doudi.privacy.tasks import seal_audit_chain

logger = logging.getLogger(__name__)


def _scheduler(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            seal_audit_chain()
        except Exception:
            logger.exception(
                "scheduled audit seal failed; retrying in %.0f s", interval
            )


class Command(BaseCommand):
    help = "Serve the web app on ADDR:PORT with the scheduled tasks on a thread."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        interval = float(settings.AUDIT_SEAL_INTERVAL_SECONDS)
        thread = threading.Thread(target=_scheduler, args=(stop, interval), daemon=True)
        thread.start()
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            stop.set()

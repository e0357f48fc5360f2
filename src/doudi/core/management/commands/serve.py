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

from doudi.celery import BEAT_SCHEDULE
from doudi.core.scheduler import run_forever

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve the web app on ADDR:PORT with the scheduled tasks on a thread."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        tick = min(1.0, float(settings.AUDIT_SEAL_INTERVAL_SECONDS))
        thread = threading.Thread(
            target=run_forever, args=(stop, BEAT_SCHEDULE, tick), daemon=True
        )
        thread.start()
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            stop.set()

"""`doudi demo`: create the demo accounts of every role and print them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from doudi.core.env import Environment
from doudi.monitoring.notify import notify_pending
from doudi.notifications.outbound import outbox_path
from doudi.portal.demo import ensure_demo_phone
from doudi.privacy.demo import DEMO_PASSWORD, ensure_demo_accounts
from doudi.privacy.models import User


class Command(BaseCommand):
    help = "Create demo accounts for every role (development only) and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT != Environment.DEVELOPMENT:
            raise CommandError(
                "demo accounts exist only in development (DOUDI_ENV=development)"
            )
        try:
            accounts = ensure_demo_accounts()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        second = (
            _("optional in development") if not settings.OTP_REQUIRED else _("required")
        )
        self.stdout.write(
            f"Second factor (TOTP): {second}; `doudi totp USER` prints a code"
        )
        self.stdout.write(f"{'user':<24}{'TOTP secret':<36}role · region")
        for account in accounts:
            secret = account.totp_secret or "-"
            self.stdout.write(
                f"{account.username:<24}{secret:<36}{account.role} · {account.region}"
            )
        # Warnings raised before the demo worker existed reach the worker now.
        notify_pending()
        phone = ensure_demo_phone(
            User.objects.get(username="community_worker"),
            User.objects.get(username="resident"),
        )
        self.stdout.write(
            f"Resident portal: /portal/, sign in with the phone number {phone}; "
            f"the code is written to {outbox_path()}"
        )

"""`doudi totp USER`: print the current code of a demo account's TOTP device."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.core.env import Environment
from doudi.privacy.choices import Role
from doudi.privacy.models import User


class Command(BaseCommand):
    help = (
        "Print the current six-digit code for a user's TOTP device (development only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT != Environment.DEVELOPMENT:
            raise CommandError(
                "codes are printed only in development (DOUDI_ENV=development)"
            )
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if user.role == Role.RESIDENT:
            raise CommandError("residents sign in without a second factor")
        device = TOTPDevice.objects.filter(user=user).first()
        if device is None:
            raise CommandError(
                f"user {options['username']!r} has no TOTP device: run `doudi demo`"
            )
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")

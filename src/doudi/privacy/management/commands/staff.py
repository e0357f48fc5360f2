"""`doudi staff add|reset-totp`: create staff accounts and enrol their second factor."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.privacy.choices import Role
from doudi.privacy.staff import Enrolment, StaffError, add_staff, reset_totp

STAFF_ROLES = [role.value for role in Role if role != Role.RESIDENT]


class Command(BaseCommand):
    help = (
        "add: create a staff account bound to a region and print its TOTP secret. "
        "reset-totp: give a staff member a new TOTP device."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "reset-totp"])
        parser.add_argument("username")
        parser.add_argument("--role", choices=STAFF_ROLES, help="staff role (add only)")
        parser.add_argument("--region", help="division code of the region (add only)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of prompting",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            enrolment = self._run(options)
        except StaffError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"TOTP secret for {enrolment.username}: {enrolment.secret}")
        self.stdout.write(f"authenticator link: {enrolment.uri}")

    def _run(self, options: dict[str, Any]) -> Enrolment:
        if options["action"] == "reset-totp":
            return reset_totp(options["username"])
        if not options["role"] or not options["region"]:
            raise StaffError("add needs --role and --region")
        return add_staff(
            options["username"],
            Role(options["role"]),
            options["region"],
            self._password(options["password_stdin"]),
        )

    @staticmethod
    def _password(from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise StaffError("the two passwords differ")
        return first

"""`doudi keys rotate|generate`: field-encryption key management."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.privacy.crypto import DecryptionError, KeyConfigError, generate_key_spec
from doudi.privacy.keys import keyring
from doudi.privacy.rotation import rotate


class Command(BaseCommand):
    help = (
        "rotate: re-encrypt every encrypted field under DOUDI_FIELD_KEY_CURRENT "
        "(safe to re-run after a crash). generate: print a new key entry for "
        "DOUDI_FIELD_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate", "generate"])
        parser.add_argument("--key-id", default="k1", help="id of the key to generate")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._run(options)
        except (KeyConfigError, DecryptionError) as exc:
            raise CommandError(str(exc)) from None

    def _run(self, options: dict[str, Any]) -> None:
        if options["action"] == "generate":
            self.stdout.write(generate_key_spec(options["key_id"]))
            return
        count = rotate(
            after_chunk=lambda done: self.stderr.write(f"  {done} values rewritten")
        )
        self.stdout.write(
            f"rotated {count} values to key {keyring().current_key_id}; "
            "keep the old keys in DOUDI_FIELD_KEYS until backups made before now expire"
        )

"""`doudi audit seal|verify`: chain new audit entries, or check the chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.privacy import audit


class Command(BaseCommand):
    help = "Seal new audit entries into the hash chain, or verify the chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier verify and kept elsewhere; the "
            "chain must still contain that link (detects removed newest links)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"sealed {audit.seal()} entries")
            return
        report = audit.verify(expected_head=_parse_head(options["expect_head"]))
        if report.first_break is not None:
            broken = report.first_break
            raise CommandError(
                f"audit chain broken at link {broken.seq} (entry {broken.entry_id}): "
                f"{broken.reason}; {report.links_checked} links before it are intact"
            )
        self.stdout.write(
            f"audit chain intact: {report.links_checked} links checked, "
            f"{report.unsealed_entries} entries not yet sealed"
        )
        if report.head is not None:
            seq, link_hash = report.head
            self.stdout.write(f"head {seq}:{link_hash} (keep it outside this server)")


def _parse_head(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, _, link_hash = value.partition(":")
    if not seq.isdigit() or len(link_hash) != 64:
        raise CommandError(
            f"--expect-head {value!r} is invalid: give SEQ:HASH as printed by "
            "`doudi audit verify`"
        )
    return int(seq), link_hash

"""Process the inbox folder: DOUDI_DATA_DIR/inbox/<source code>/<kind>/<file>.

Each file becomes a batch and then moves to inbox/done/<batch id>-<name>,
or to inbox/rejected/<batch id>-<name> when the batch was rejected whole. A
file is moved only after its batch is committed, and re-delivering the same
bytes finds the same batch, so a run that stops between the two steps is
finished by the next run without a second batch.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings

from doudi.core.locks import single_run
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import BatchStatus, Channel, DataSource
from doudi.exchange.pipeline import DeliveryError, ingest_file
from doudi.exchange.reading import EXTENSIONS
from doudi.exchange.run_cache import run_cache

logger = logging.getLogger(__name__)
DONE = "done"
REJECTED = "rejected"
LOCK_SECONDS = 6 * 3600


@dataclass
class InboxReport:
    files: int = 0
    batches: list[int] = field(default_factory=list)
    rejected: int = 0
    refused: int = 0
    rows: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, object]:
        return {
            "files": self.files,
            "batches": len(self.batches),
            "rejected": self.rejected,
            "refused": self.refused,
            **{f"rows_{name}": count for name, count in sorted(self.rows.items())},
        }


def inbox_dir() -> Path:
    return Path(settings.DATA_DIR) / "inbox"


def process_inbox(
    *, root: Path | None = None, today: date | None = None
) -> InboxReport:
    """Ingest every waiting file of every registered source, oldest first.

    Files in folders of unknown sources or kinds stay where they are and
    are logged. A delivery the source may not make (a kind it is not
    registered for) moves to rejected/ with a .error.txt beside it.
    """
    root = root or inbox_dir()
    report = InboxReport()
    with single_run("exchange.inbox", ttl_seconds=LOCK_SECONDS) as acquired:
        if not acquired:
            logger.warning("exchange inbox is being processed by another run; skipped")
            return report
        with run_cache():
            for path, source, kind in _waiting(root):
                report.files += 1
                _process(path, source, kind, root, report, today)
    return report


def _waiting(root: Path) -> list[tuple[Path, DataSource, str]]:
    sources = {source.code: source for source in DataSource.objects.all()}
    found = []
    for folder in sorted(root.glob("*/*")):
        code, kind = folder.parent.name, folder.name
        if not folder.is_dir() or code in (DONE, REJECTED):
            continue
        if code not in sources or kind not in FeedKind.values:
            logger.warning(
                "exchange inbox folder %s/%s names no registered source and kind; "
                "its files are left in place",
                code,
                kind,
            )
            continue
        files = [
            path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() in EXTENSIONS
        ]
        files.sort(key=lambda path: (path.stat().st_mtime, path.name))
        found += [(path, sources[code], kind) for path in files]
    return found


def _process(
    path: Path,
    source: DataSource,
    kind: str,
    root: Path,
    report: InboxReport,
    today: date | None,
) -> None:
    try:
        batch = ingest_file(
            path, source=source, kind=kind, channel=Channel.INBOX, today=today
        )
    except DeliveryError as error:
        report.refused += 1
        target = _move(path, root / REJECTED, f"{source.code}-{kind}-{path.name}")
        target.with_name(target.name + ".error.txt").write_text(str(error) + "\n")
        logger.warning("exchange inbox file of source %s refused", source.code)
        return
    folder = DONE if batch.status == BatchStatus.STORED else REJECTED
    if batch.status == BatchStatus.REJECTED:
        report.rejected += 1
    report.batches.append(batch.pk)
    report.rows.update(
        total=batch.rows_total,
        stored=batch.rows_stored,
        quarantined=batch.rows_quarantined,
        unmatched=batch.rows_unmatched,
        duplicate=batch.rows_duplicate,
    )
    _move(path, root / folder, f"{batch.pk}-{path.name}")


def _move(path: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.replace(path, target)
    return target

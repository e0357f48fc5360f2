"""Child process of the kill test: set up a database and ingest one file.

Run as `python -m doudi.exchange.tests.kill_child FILE`. It prints one JSON
line with what the database holds after the ingestion.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    from doudi.exchange.ingest import ingest_file
    from doudi.exchange.models import Batch, DataSource, ExchangeFact
    from doudi.registry import services
    from doudi.registry.models import Person

    handler = logging.StreamHandler(sys.stderr)
    logging.getLogger("doudi.exchange").addHandler(handler)
    logging.getLogger("doudi.exchange").setLevel(logging.INFO)

    call_command("migrate", verbosity=0)
    source, _ = DataSource.objects.get_or_create(
        code="medical",
        defaults={
            "department": "x",
            "kinds": ["medical_claim"],
            "delivery_mode": "file",
        },
    )
    resident_id = "310101198001010018"
    Person.objects.get_or_create(
        resident_id_index=services.resident_id_index(resident_id),
        defaults={
            "name": "王测试",
            "name_index": services.name_index("王测试"),
            "sex": "M",
            "birth_date": date(1980, 1, 1),
            "resident_id": resident_id,
            "hukou_type": "local",
            "hukou_nature": "urban",
            "hukou_region_code": "310101",
            "residence_status": "registered",
        },
    )
    batch = ingest_file(
        Path(sys.argv[1]), source=source, kind="medical_claim", today=date(2026, 6, 15)
    )
    print(
        json.dumps(
            {
                "batches": Batch.objects.count(),
                "facts": ExchangeFact.objects.count(),
                "stored": batch.rows_stored,
                "total": batch.rows_total,
            }
        )
    )


if __name__ == "__main__":
    main()

"""The duplicate check as a stage of the monthly cycle.

The check also runs weekly from Celery beat (`tasks.weekly_duplicate_check`);
running it again finds the same pairs and keeps their reviews.
"""

from __future__ import annotations

from datetime import date

from doudi.core.cycle import register_stage
from doudi.monitoring.duplicates.detection import run_detection


@register_stage(
    "duplicates.check",
    order=360,
    description="Link enrolled persons and imported lists to find duplicate assistance",
)
def check_duplicates(month: date) -> dict[str, object]:
    run = run_detection()
    return {
        "run": run.pk,
        "records": run.records,
        "candidate_pairs": run.candidates,
        "new_pairs": run.new_pairs,
        "month": month.isoformat(),
    }

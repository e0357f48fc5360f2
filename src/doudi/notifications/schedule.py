"""When a delivery may go out: quiet hours and retry backoff (plain Python)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Tell whether `local` falls in [start, end); a start after the end wraps."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def release_time(
    now: datetime, zone: ZoneInfo, start: time | None, end: time | None
) -> datetime:
    """Return `now`, or the end of the quiet hours that `now` falls in.

    The hours are local times in `zone`; `now` must be time-zone aware.
    """
    if start is None or end is None:
        return now
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return now
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)


def backoff_seconds(attempt: int, base: int, maximum: int) -> int:
    """Return the wait after failed attempt number `attempt` (1 for the first)."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, got {attempt}")
    doubled: int = base * 2 ** min(attempt - 1, 30)
    return min(maximum, doubled)

"""Messages for quarantined rows: the field, the problem and the fix.

A message never contains the row's value, because quarantine lists are
shown to operators who may not see every field in clear.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from doudi.exchange.feeds import FEEDS, FeedSpec, FieldType
from doudi.exchange.models import QuarantinedRow, QuarantineReason

R = QuarantineReason


def row_message(row: QuarantinedRow) -> str:
    """Write a quarantined row's message again in the active language.

    Rows stored before the column was kept, or whose column is no longer in
    the feed's schema, show the message as it was stored.
    """
    feed = FEEDS.get(row.batch.kind)
    if feed is None or (not row.field and row.reason != R.NOT_AUTHORISED):
        return row.message
    try:
        return problem_message(feed, row.reason, row.field)
    except (KeyError, StopIteration):
        return row.message


def problem_message(feed: FeedSpec, reason: str, field: str) -> str:
    """Return the message for `reason` found in column `field` of `feed`."""
    if field.startswith("range_"):
        end = field.removeprefix("range_")
        start = next(first for first, last in feed.ranges if last == end)
        return _("%(end)s is not after %(start)s. Correct one of the two dates.") % {
            "end": end,
            "start": start,
        }
    if reason == R.UNKNOWN_REGION:
        return _(
            "%(field)s is not a region code of this city. Use the 6-digit "
            "district or 9- or 12-digit street or community code."
        ) % {"field": field}
    if reason == R.NEGATIVE_AMOUNT:
        return _("%(field)s is negative. Enter a value of zero or more.") % {
            "field": field
        }
    if reason == R.FUTURE_DATE:
        return _("%(field)s is a date in the future. Correct the year or month.") % {
            "field": field
        }
    if reason == R.MISSING_VALUE:
        return _("%(field)s is required but empty. Fill it in.") % {"field": field}
    if reason == R.UNDECODABLE_TEXT:
        return _(
            "%(field)s contains control characters or bytes that could not be "
            "decoded. Re-type the value."
        ) % {"field": field}
    if reason == R.NOT_AUTHORISED:
        return not_authorised_message(feed)
    return _invalid_message(feed, field)


def _invalid_message(feed: FeedSpec, field: str) -> str:
    spec = feed.field(field)
    if spec.type == FieldType.CODE:
        return _("%(field)s is not one of the allowed values: %(allowed)s.") % {
            "field": field,
            "allowed": ", ".join(spec.allowed),
        }
    if spec.type == FieldType.DATE:
        return _(
            "%(field)s is not a calendar date from 1880 on, such as 2026-02-28. Write "
            "it as YYYY-MM-DD."
        ) % {"field": field}
    if spec.type == FieldType.MONTH:
        return _("%(field)s is not a month. Write it as YYYY-MM.") % {"field": field}
    if spec.type in (FieldType.AMOUNT, FieldType.DECIMAL):
        return _(
            "%(field)s is not a number with at most two decimal places. Write "
            "it like 1234.56, without a currency sign."
        ) % {"field": field}
    if spec.type == FieldType.INTEGER:
        return _("%(field)s is not a whole number. Write it like 3.") % {"field": field}
    if spec.type == FieldType.RESIDENT_ID:
        return _(
            "%(field)s is not a valid resident ID. Compare each digit with the ID "
            "document."
        ) % {"field": field}
    return _("%(field)s is not valid. Correct the value.") % {"field": field}


def not_authorised_message(feed: FeedSpec) -> str:
    return _(
        "No valid authorisation covers this person for %(kind)s records, so the "
        "record was not stored; only the identifying fields are kept. Ask the "
        "department to send it again after the household signs an authorisation."
    ) % {"kind": feed.name}

"""The ingestion API that the inbox, the push API, the query client and the
operator pages call.

See docs/feeds/README.md for what happens to a delivery and its rows.
"""

from doudi.exchange.operator import confirm_match, resubmit
from doudi.exchange.pipeline import (
    DeliveryError,
    ingest_bytes,
    ingest_file,
    ingest_records,
)

__all__ = [
    "DeliveryError",
    "confirm_match",
    "ingest_bytes",
    "ingest_file",
    "ingest_records",
    "resubmit",
]

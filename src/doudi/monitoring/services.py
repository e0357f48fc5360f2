"""Every change to a warning or a signal weight goes through these functions.

Each checks the actor's role and region, writes the audit entry and, for a
warning, refuses a change to a version the actor did not see. They live in
one module per part of the work; this module gathers them for views,
commands, tasks and other apps.
"""

from doudi.monitoring.conversion import Conversion, convert_to_case
from doudi.monitoring.escalation import escalate_overdue
from doudi.monitoring.lifecycle import (
    NotAllowedNow,
    StaleWarning,
    WarningError,
    assign,
    close_no_need,
    record_visit,
    resolve,
)
from doudi.monitoring.notify import notify_new, notify_pending
from doudi.monitoring.weights import preview, save_weights

__all__ = [
    "Conversion",
    "NotAllowedNow",
    "StaleWarning",
    "WarningError",
    "assign",
    "close_no_need",
    "convert_to_case",
    "escalate_overdue",
    "notify_new",
    "notify_pending",
    "preview",
    "record_visit",
    "resolve",
    "save_weights",
]

"""Every change to a case goes through these functions.

Each checks the actor's role and region against the workflow's state table,
raises StaleCase when the case changed since the actor loaded it, appends a
timeline event, writes the audit entry and recomputes the deadlines. The
functions live in one module per part of the workflow; this module gathers
them for views, commands and other apps.
"""

from doudi.cases.appeals import accept_appeal, decide_appeal, file_appeal
from doudi.cases.decision import approve, issue_refusal_notice, refuse
from doudi.cases.documents import add_document, open_document
from doudi.cases.opening import accept, mark_special, open_case, withdraw
from doudi.cases.review import (
    VerificationBlocked,
    close_notice,
    record_objection,
    request_verification,
    return_for_survey,
    send_to_notice,
    start_notice,
)
from doudi.cases.survey import Visit, record_survey
from doudi.cases.workflow import CaseError, NotAllowedNow, StaleCase

__all__ = [
    "CaseError",
    "NotAllowedNow",
    "StaleCase",
    "VerificationBlocked",
    "Visit",
    "accept",
    "accept_appeal",
    "add_document",
    "approve",
    "close_notice",
    "decide_appeal",
    "file_appeal",
    "issue_refusal_notice",
    "mark_special",
    "open_case",
    "open_document",
    "record_objection",
    "record_survey",
    "refuse",
    "request_verification",
    "return_for_survey",
    "send_to_notice",
    "start_notice",
    "withdraw",
]

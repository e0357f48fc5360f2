"""The legal time limits of the case workflow, each with its unit and source.

Every deadline in the cases app is computed from this table. A limit counts
from the day its step started (that day not counted) and the deadline is
the last day on which acting is on time.

Sources: 最低生活保障审核确认办法 (民发〔2021〕57号) for applications, the
行政复议法 (Administrative Reconsideration Law) for appeals, and the
信访工作条例 (Regulations on Letters and Visits, 2022) for complaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from doudi.cases.models import CaseKind, Step


class Unit(StrEnum):
    WORKING_DAYS = "working days"
    CALENDAR_DAYS = "calendar days"


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    unit: Unit
    source: str
    # True where the value was read in a secondary source (a law firm's or
    # news summary), not in the official text. Confirm it before relying on it.
    secondary: bool = False


LIMITS: Final[dict[str, TimeLimit]] = {
    # The household survey starts within 3 working days of acceptance.
    "survey_start": TimeLimit(3, Unit.WORKING_DAYS, "民发〔2021〕57号 第十五条"),
    # The economic check starts within 3 working days of the survey.
    "verification_start": TimeLimit(3, Unit.WORKING_DAYS, "民发〔2021〕57号 第十七条"),
    "public_notice": TimeLimit(7, Unit.CALENDAR_DAYS, "民发〔2021〕57号 第十九条"),
    # The county (district) decides within 10 working days of receiving the
    # street office's proposal, which is when the notice closes.
    "district_decision": TimeLimit(10, Unit.WORKING_DAYS, "民发〔2021〕57号 第二十条"),
    "refusal_notice": TimeLimit(3, Unit.WORKING_DAYS, "民发〔2021〕57号 第二十一条"),
    # The whole case, from acceptance to decision.
    "case_standard": TimeLimit(30, Unit.WORKING_DAYS, "民发〔2021〕57号 第二十二条"),
    "case_delegated": TimeLimit(20, Unit.WORKING_DAYS, "民发〔2021〕57号 第二十二条"),
    "case_special": TimeLimit(45, Unit.WORKING_DAYS, "民发〔2021〕57号 第二十二条"),
    # An appeal is filed within 60 days of learning of the refusal, checked
    # for acceptance within 5 days and decided within 60 days of acceptance.
    "appeal_filing": TimeLimit(
        60, Unit.CALENDAR_DAYS, "行政复议法 (1999) 第九条", secondary=True
    ),
    "appeal_acceptance": TimeLimit(
        5, Unit.CALENDAR_DAYS, "行政复议法 (1999) 第十七条", secondary=True
    ),
    "appeal_decision": TimeLimit(
        60, Unit.CALENDAR_DAYS, "行政复议法 (1999) 第三十一条", secondary=True
    ),
    # A complaint is answered within 60 days of being received. NOTE: the
    # figure is from summaries of the regulation, not checked in its text.
    "complaint_answer": TimeLimit(
        60, Unit.CALENDAR_DAYS, "信访工作条例 (2022)", secondary=True
    ),
}

# A case is nearly due when its next deadline is at most this many working
# days away (and not yet passed).
NEARLY_DUE_WORKING_DAYS: Final = 2


def step_limit(kind: CaseKind | str, step: Step | str) -> TimeLimit | None:
    """Return the limit of a step of a case of `kind`, or None if it has none.

    Acceptance of an application and the street office's review have no
    limit of their own; the whole case's limit covers them.
    """
    if kind == CaseKind.APPEAL:
        return _APPEAL_STEP_LIMITS.get(Step(step))
    if kind == CaseKind.COMPLAINT:
        return _COMPLAINT_STEP_LIMITS.get(Step(step))
    return _APPLICATION_STEP_LIMITS.get(Step(step))


def case_limit(*, delegated: bool, special: bool) -> TimeLimit:
    """Return the limit of the whole case; a special case gets the longest."""
    if special:
        return LIMITS["case_special"]
    if delegated:
        return LIMITS["case_delegated"]
    return LIMITS["case_standard"]


_APPLICATION_STEP_LIMITS: Final = {
    Step.SURVEY: LIMITS["survey_start"],
    Step.VERIFICATION: LIMITS["verification_start"],
    Step.PUBLIC_NOTICE: LIMITS["public_notice"],
    Step.DISTRICT_APPROVAL: LIMITS["district_decision"],
    Step.REFUSED: LIMITS["refusal_notice"],
}
_APPEAL_STEP_LIMITS: Final = {
    Step.ACCEPT: LIMITS["appeal_acceptance"],
    Step.APPEAL_REVIEW: LIMITS["appeal_decision"],
}
_COMPLAINT_STEP_LIMITS: Final = {Step.ACCEPT: LIMITS["complaint_answer"]}

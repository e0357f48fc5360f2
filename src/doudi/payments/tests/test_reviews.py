"""Scheduled reviews, re-checks after a death and reported changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from doudi.assessments.models import Scheme
from doudi.payments.models import (
    AwardStatus,
    ChangeCategory,
    ReportedChange,
    Review,
    ReviewKind,
    ReviewOutcome,
)
from doudi.payments.reviews import (
    complete_review,
    record_member_death,
    report_change,
    schedule_due_reviews,
)
from doudi.payments.tests.factories import make_award
from doudi.privacy.models import User
from doudi.registry.choices import EmploymentStatus, FactKind, FactSource, WorkCapacity
from doudi.registry.models import Household, Person, PersonFact


def _head(household: Household) -> Person:
    return household.memberships.get(relationship="head").person


def test_stable_household_yearly(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    assert award.review_interval_months == 12
    assert award.next_review_on == date(2026, 3, 14)


def test_unemployed_worker_half_yearly(
    users: dict[str, User], household: Household
) -> None:
    head = _head(household)
    for kind, code in (
        (FactKind.WORK_CAPACITY, WorkCapacity.FULL),
        (FactKind.EMPLOYMENT, EmploymentStatus.UNEMPLOYED),
    ):
        PersonFact.objects.create(
            person=head,
            kind=kind,
            code=code,
            valid_from=date(2024, 1, 1),
            source=FactSource.CASEWORKER,
        )
    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    assert award.review_interval_months == 6
    assert award.next_review_on == date(2025, 9, 14)


def test_tekun_yearly_even_if_irregular(
    users: dict[str, User], household: Household
) -> None:
    PersonFact.objects.create(
        person=_head(household),
        kind=FactKind.EMPLOYMENT,
        code=EmploymentStatus.UNEMPLOYED,
        valid_from=date(2024, 1, 1),
        source=FactSource.CASEWORKER,
    )
    award = make_award(household, users["district"], scheme=Scheme.TEKUN)
    assert award.review_interval_months == 12


def test_no_capacity_member_not_counted(
    users: dict[str, User], household: Household
) -> None:
    for person in [m.person for m in household.memberships.all()]:
        for kind, code in (
            (FactKind.WORK_CAPACITY, WorkCapacity.NONE),
            (FactKind.EMPLOYMENT, EmploymentStatus.UNEMPLOYED),
        ):
            PersonFact.objects.create(
                person=person,
                kind=kind,
                code=code,
                valid_from=date(2024, 1, 1),
                source=FactSource.CASEWORKER,
            )
    award = make_award(household, users["district"])
    assert award.review_interval_months == 12


def test_schedule_due_reviews_idempotent(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    assert schedule_due_reviews(date(2026, 2, 28)) == 0
    assert schedule_due_reviews(date(2026, 3, 31)) == 1
    assert schedule_due_reviews(date(2026, 3, 31)) == 0
    review = Review.objects.get()
    assert review.award == award
    assert review.due_on == date(2026, 3, 14)


def test_completed_review_schedules_next(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    schedule_due_reviews(date(2026, 3, 31))
    review = Review.objects.get()
    done = complete_review(
        review,
        outcome=ReviewOutcome.CONTINUED,
        note="情况稳定",
        on=date(2026, 3, 10),
        actor=users["district"],
    )
    award.refresh_from_db()
    assert done.completed_by == users["district"]
    assert award.next_review_on == date(2027, 3, 10)
    assert schedule_due_reviews(date(2026, 3, 31)) == 0


def test_review_outcome_terminates(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    schedule_due_reviews(date(2026, 3, 31))
    complete_review(
        Review.objects.get(),
        outcome=ReviewOutcome.TERMINATED,
        note="收入超过标准",
        on=date(2026, 3, 10),
        actor=users["district"],
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.TERMINATED


def test_death_recheck_within_three_months(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    head = _head(household)
    review = record_member_death(
        award, person=head, died_on=date(2025, 6, 20), actor=users["owner"]
    )
    again = record_member_death(
        award, person=head, died_on=date(2025, 6, 20), actor=None
    )
    assert review.kind == ReviewKind.DEATH
    assert review.due_on == date(2025, 9, 20)
    assert again.pk == review.pk


def test_reported_change_triggers_review(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    change = report_change(
        award,
        category=ChangeCategory.INCOME,
        description="儿子找到工作，月薪4000元",
        reported_on=date(2025, 5, 6),
        actor=users["owner"],
    )
    again = report_change(
        award,
        category=ChangeCategory.INCOME,
        description="儿子找到工作，月薪4000元",
        reported_on=date(2025, 5, 6),
        actor=users["owner"],
    )
    assert again.pk == change.pk
    assert ReportedChange.objects.count() == 1
    review = Review.objects.get(kind=ReviewKind.REPORTED_CHANGE)
    assert review.change == change
    assert review.due_on == date(2025, 6, 6)


def test_outsider_cannot_report(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"])
    with pytest.raises(PermissionDenied):
        report_change(
            award,
            category=ChangeCategory.OTHER,
            description="x",
            reported_on=date(2025, 5, 6),
            actor=users["outsider"],
        )


def _death_fact(person: Person, died_on: date) -> None:
    from doudi.exchange.kinds import FeedKind
    from doudi.exchange.models import (
        Batch,
        BatchStatus,
        Channel,
        DataSource,
        DeliveryMode,
        ExchangeFact,
        FactCategory,
        FileFormat,
    )

    source = DataSource.objects.create(
        code="police",
        department="公安局",
        kinds=[FeedKind.HOUSEHOLD_REGISTRATION],
        delivery_mode=DeliveryMode.FILE,
    )
    batch = Batch.objects.create(
        source=source,
        kind=FeedKind.HOUSEHOLD_REGISTRATION,
        checksum="1" * 64,
        channel=Channel.INBOX,
        file_format=FileFormat.CSV,
        status=BatchStatus.STORED,
    )
    ExchangeFact.objects.create(
        batch=batch,
        row_number=1,
        person=person,
        kind=FeedKind.HOUSEHOLD_REGISTRATION,
        category=FactCategory.EVENT,
        item="registration",
        code="death",
        valid_from=died_on,
    )


def test_feed_death_schedules_recheck(
    users: dict[str, User], household: Household
) -> None:
    from doudi.payments.reviews import schedule_death_rechecks

    award = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    head = _head(household)
    _death_fact(head, date(2025, 6, 20))
    assert schedule_death_rechecks(date(2025, 5, 1), date(2025, 6, 30)) == 1
    assert schedule_death_rechecks(date(2025, 5, 1), date(2025, 6, 30)) == 0
    review = Review.objects.get(kind=ReviewKind.DEATH)
    assert review.award == award
    assert review.deceased == head
    assert review.due_on == date(2025, 9, 20)

"""Residents' ratings of the benefits and services they received.

Only the functions in doudi.feedback.services change these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme
from doudi.privacy.fields import EncryptedTextField

MIN_RATING = 1
MAX_RATING = 5


class SubjectKind(models.TextChoices):
    AWARD = "award", _("A benefit your household receives")
    CASE = "case", _("An application that was decided")
    SERVICE = "service", _("A service")


class Feedback(models.Model):
    """One household's rating of one award, decided case or service.

    A household has at most one rating of each subject; rating it again
    replaces the rating. `idempotency_key` comes from the form, so the same
    form sent twice changes nothing the second time. `scheme` is copied from
    the award or case, and `region_path` from the household, so that the
    ratings page groups and scopes on this table alone. A complaint made
    with the rating is a case of kind complaint, in `complaint`.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=80, db_index=True, editable=False)
    subject_kind = models.CharField(_("about"), max_length=16, choices=SubjectKind)
    award = models.ForeignKey(
        "payments.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = EncryptedTextField(_("comment"), null=True, blank=True)
    complaint = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("complaint"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assisted = models.BooleanField(_("entered by a community worker"), default=False)
    idempotency_key = models.UUIDField(unique=True)
    created_at = models.DateTimeField(_("rated at"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=MIN_RATING, rating__lte=MAX_RATING),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(
                    subject_kind="award",
                    award__isnull=False,
                    case__isnull=True,
                    service__isnull=True,
                )
                | Q(
                    subject_kind="case",
                    award__isnull=True,
                    case__isnull=False,
                    service__isnull=True,
                )
                | Q(
                    subject_kind="service",
                    award__isnull=True,
                    case__isnull=True,
                    service__isnull=False,
                ),
                name="feedback_one_subject",
            ),
            models.UniqueConstraint(
                fields=["household", "award"],
                condition=Q(award__isnull=False),
                name="one_feedback_per_award",
            ),
            models.UniqueConstraint(
                fields=["household", "case"],
                condition=Q(case__isnull=False),
                name="one_feedback_per_case",
            ),
            models.UniqueConstraint(
                fields=["household", "service"],
                condition=Q(service__isnull=False),
                name="one_feedback_per_service",
            ),
        ]
        indexes = [models.Index(fields=["subject_kind", "scheme"])]

    def __str__(self) -> str:
        return f"feedback {self.pk}"

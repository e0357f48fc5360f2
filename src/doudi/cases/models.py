"""Requests for help and the workflow that carries them to a decision.

Only the functions in doudi.cases.services change these rows. A step change
is one conditional UPDATE on `version`, so of two people acting on one case
at once only the first succeeds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.assessments.models import Scheme
from doudi.privacy.fields import EncryptedTextField


class Channel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    WALK_IN = "walk_in", _("Walk-in, entered by a community worker")
    WARNING = "warning", _("Early warning")
    REFERRAL = "referral", _("Referral from another department")


class Step(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    SURVEY = "survey", _("Household survey")
    VERIFICATION = "verification", _("Economic verification")
    STREET_REVIEW = "street_review", _("Street office review")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    DISTRICT_APPROVAL = "district_approval", _("District approval")
    AWARDED = "awarded", _("Awarded")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPEAL_REVIEW = "appeal_review", _("Appeal review")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
    COMPLAINT_ANSWERED = "complaint_answered", _("Complaint answered")


class CaseKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    APPEAL = "appeal", _("Appeal against a refusal")
    COMPLAINT = "complaint", _("Complaint")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    REFUSAL_UPHELD = "refusal_upheld", _("Refusal upheld")
    REFUSAL_OVERTURNED = "refusal_overturned", _("Refusal overturned")


class CaseAction(models.TextChoices):
    """A person's action on a case; each value names one service function."""

    OPEN = "open", _("Opened the case")
    ACCEPT = "accept", _("Accepted the application")
    ADD_DOCUMENT = "add_document", _("Added a document")
    RECORD_SURVEY = "record_survey", _("Recorded the household survey")
    VERIFY = "verify", _("Verified the household's economic situation")
    SEND_TO_NOTICE = "send_to_notice", _("Approved for public notice")
    RETURN_FOR_SURVEY = "return_for_survey", _("Returned for another survey")
    REFUSE = "refuse", _("Refused")
    START_NOTICE = "start_notice", _("Started the public notice")
    RECORD_OBJECTION = "record_objection", _("Recorded an objection")
    CLOSE_NOTICE = "close_notice", _("Closed the public notice")
    APPROVE = "approve", _("Approved")
    ISSUE_REFUSAL_NOTICE = "issue_refusal_notice", _("Issued the written refusal")
    WITHDRAW = "withdraw", _("Withdrawn at the household's request")
    MARK_SPECIAL = "mark_special", _("Marked as a special case")
    FILE_APPEAL = "file_appeal", _("Filed an appeal")
    ACCEPT_APPEAL = "accept_appeal", _("Accepted the appeal")
    UPHOLD_REFUSAL = "uphold_refusal", _("Upheld the refusal")
    OVERTURN_REFUSAL = "overturn_refusal", _("Overturned the refusal")
    REOPEN = "reopen", _("Reopened for a new decision")
    ANSWER_COMPLAINT = "answer_complaint", _("Answered the complaint")


class Case(models.Model):
    """One request for help for one household and scheme, or an appeal.

    An appeal is a case of kind APPEAL whose `parent` is the refused case.
    A complaint (kind COMPLAINT) may name the case it is about as `parent`;
    a complaint about a service names no scheme.
    `region` is the household's community when the case was opened, and
    `region_path` its path, copied so that the work queue filters by the
    actor's scope on this table alone.

    Deadlines are last days on which acting is on time. `step_due` is the
    limit of the current step, or none where the step has no limit of its
    own. `case_due` is the limit of the whole case counted from acceptance.
    `next_due` is the earlier of the two while the case is open, for sorting
    and for the overdue and nearly-due flags. A provisional flag is set when
    the count crossed a year whose holiday schedule is not loaded yet.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="cases"
    )
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    step = models.CharField(_("step"), max_length=24, choices=Step, default=Step.ACCEPT)
    opened_at = models.DateTimeField(_("opened at"))
    # Raised by every action. An action names the version it saw, so when two
    # people act on one case at once only the first succeeds.
    version = models.PositiveIntegerField(default=0)

    kind = models.CharField(
        _("kind"), max_length=16, choices=CaseKind, default=CaseKind.APPLICATION
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("appealed case"),
    )
    # Services always set both. The defaults keep cases that other apps'
    # tests create directly valid, and a case without a path is in no one's
    # scope.
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    region_path = models.CharField(
        max_length=80, db_index=True, editable=False, default=""
    )
    # The warning's number or the referring department's reference.
    source_reference = models.CharField(
        _("source reference"), max_length=64, blank=True, default=""
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # JSON of doudi.cases.declaration.Declaration: incomes, assets, situation.
    declaration = EncryptedTextField(_("declared information"), null=True, blank=True)
    delegated = models.BooleanField(
        _("approval delegated to the street"), default=False
    )
    special = models.BooleanField(_("special case"), default=False)
    # Set when an appeal overturned the refusal: the case then has only the
    # district decision's limit, because the whole case's limit ran out
    # while the refusal stood.
    reopened = models.BooleanField(_("reopened after an appeal"), default=False)

    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    step_started_on = models.DateField(
        _("current step since"), default=timezone.localdate
    )
    step_due = models.DateField(_("step due"), null=True, blank=True)
    step_due_provisional = models.BooleanField(default=False)
    case_due = models.DateField(_("case due"), null=True, blank=True)
    case_due_provisional = models.BooleanField(default=False)
    next_due = models.DateField(_("next due"), null=True, blank=True)

    verification = models.ForeignKey(
        "verification.VerificationRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verification"),
    )
    proposed_amount_fen = models.BigIntegerField(
        _("proposed monthly amount (fen)"), null=True, blank=True
    )
    decision = models.CharField(
        _("decision"), max_length=24, choices=Decision, blank=True, default=""
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    approved_amount_fen = models.BigIntegerField(
        _("approved monthly amount (fen)"), null=True, blank=True
    )
    refusal_reason = EncryptedTextField(_("reason for refusal"), null=True, blank=True)
    refusal_notified_on = models.DateField(
        _("written refusal issued on"), null=True, blank=True
    )
    # The policy engine's recommendation as shown to the approver when the
    # case was decided. The explanation lines are JSON, encrypted because
    # they quote the household's income.
    recommended_eligible = models.BooleanField(null=True, blank=True)
    recommended_amount_fen = models.BigIntegerField(null=True, blank=True)
    recommendation_month = models.DateField(null=True, blank=True)
    recommendation_explanation = EncryptedTextField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "scheme"],
                condition=Q(kind="application", closed_at__isnull=True),
                name="one_open_case_per_household_scheme",
            ),
            models.UniqueConstraint(
                fields=["parent"],
                condition=Q(kind="appeal", closed_at__isnull=True),
                name="one_open_appeal_per_case",
            ),
            models.CheckConstraint(
                condition=Q(kind="appeal", parent__isnull=False)
                | Q(kind="application", parent__isnull=True)
                | Q(kind="complaint"),
                name="appeal_has_parent",
            ),
            models.CheckConstraint(
                condition=Q(proposed_amount_fen__isnull=True)
                | Q(proposed_amount_fen__gte=0),
                name="proposed_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount_fen__isnull=True)
                | Q(approved_amount_fen__gte=0),
                name="approved_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["region_path", "next_due"],
                condition=Q(closed_at__isnull=True),
                name="case_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CaseEvent(models.Model):
    """One entry of a case's timeline: who did what, at which step, when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    role = models.CharField(_("role"), max_length=32, blank=True)
    step = models.CharField(_("step"), max_length=24, choices=Step)
    action = models.CharField(_("action"), max_length=24, choices=CaseAction)
    at = models.DateTimeField(_("time"))
    note = EncryptedTextField(_("note"), null=True, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.action} on case {self.case_id}"


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity or household registration")
    INCOME = "income", _("Proof of income")
    ASSETS = "assets", _("Proof of assets")
    DISABILITY = "disability", _("Disability certificate")
    MEDICAL = "medical", _("Medical records and bills")
    APPLICATION_FORM = "application_form", _("Signed application form")
    OTHER = "other", _("Other")


class CaseDocument(models.Model):
    """A file uploaded to a case, stored under DATA_DIR, never in the web root.

    `stored_name` is a random name inside the case's folder. The name the
    file had on the uploader's machine may name a person, so it is encrypted.
    `content_type` is set from the file's first bytes, not from the browser.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind)
    original_name = EncryptedTextField(_("file name"))
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return f"document {self.pk} of case {self.case_id}"


class Housing(models.TextChoices):
    OWNED = "owned", _("Owned home")
    RENTED = "rented", _("Rented on the market")
    PUBLIC_RENTAL = "public_rental", _("Public rental housing")
    RELATIVES = "relatives", _("Living with relatives")
    OTHER = "other", _("Other")


class LivingConditions(models.TextChoices):
    ADEQUATE = "adequate", _("Adequate")
    BASIC = "basic", _("Basic")
    POOR = "poor", _("Poor")


class SurveyOpinion(models.TextChoices):
    SUPPORT = "support", _("Supports the application")
    DOUBTS = "doubts", _("Has doubts; needs the economic check")
    AGAINST = "against", _("Does not support the application")


class SurveyRecord(models.Model):
    """A home visit by at least two investigators, recorded on the visit form."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="surveys")
    visited_on = models.DateField(_("visited on"))
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("investigators")
    )
    members_present = models.PositiveSmallIntegerField(_("members present"))
    housing = models.CharField(_("housing"), max_length=16, choices=Housing)
    living_conditions = models.CharField(
        _("living conditions"), max_length=16, choices=LivingConditions
    )
    declaration_matches = models.BooleanField(
        _("what was seen matches the declaration")
    )
    opinion = models.CharField(_("opinion"), max_length=16, choices=SurveyOpinion)
    findings = EncryptedTextField(_("findings"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("household survey")
        verbose_name_plural = _("household surveys")

    def __str__(self) -> str:
        return f"survey {self.pk} of case {self.case_id}"


class PublicNotice(models.Model):
    """The public notice of a case: only a masked name, household size, amount.

    The notice runs for 7 calendar days (the limits table's "public_notice")
    from `starts_on`. `ends_on` is its last day, and it may be closed from
    the day after.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="notice")
    street = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="+"
    )
    masked_name = models.CharField(_("name"), max_length=32)
    household_size = models.PositiveSmallIntegerField(_("household size"))
    amount_fen = models.BigIntegerField(_("monthly amount (fen)"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        indexes = [models.Index(fields=["street", "ends_on"])]

    def __str__(self) -> str:
        return f"notice of case {self.case_id}"


class Objection(models.Model):
    """An objection raised during a public notice, as the street office took it."""

    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    summary = EncryptedTextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.pk} to notice {self.notice_id}"

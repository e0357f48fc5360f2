"""The household's written authorisation to be checked, and what it covers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Authorisation(models.Model):
    """A signed authorisation: who signed, for whom, which kinds, how long.

    `data_kinds` lists feed kinds of doudi.exchange.kinds.FeedKind. It holds
    from `signed_on` to `valid_until`, both included, unless revoked.
    """

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="authorisations"
    )
    signed_by = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    members = models.ManyToManyField(
        "registry.Person", related_name="authorisations", verbose_name=_("members")
    )
    data_kinds = models.JSONField(_("kinds of records"), default=list)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        indexes = [models.Index(fields=["household", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("signed_on")),
                name="authorisation_ends_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"authorisation {self.pk} of {self.household_id}"

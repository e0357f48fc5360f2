"""Register the department systems that send us records."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import DataSource, DeliveryMode
from doudi.exchange.pipeline import DeliveryError
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User


def add_source(
    code: str,
    *,
    department: str,
    kinds: Sequence[str],
    mode: str,
    contact: str = "",
    query_url: str = "",
    actor: User | None = None,
) -> DataSource:
    """Create a data source; raise DeliveryError for an unknown kind or mode."""
    unknown = [kind for kind in kinds if kind not in FeedKind.values]
    if unknown or not kinds:
        raise DeliveryError(
            _("Unknown kinds %(unknown)s; use some of %(kinds)s.")
            % {
                "unknown": ", ".join(unknown) or "-",
                "kinds": ", ".join(FeedKind.values),
            }
        )
    if mode not in DeliveryMode.values:
        raise DeliveryError(
            _("Unknown delivery mode %(mode)s; use %(modes)s.")
            % {"mode": mode, "modes": ", ".join(DeliveryMode.values)}
        )
    if DataSource.objects.filter(code=code).exists():
        raise DeliveryError(_("A source with code %(code)s exists.") % {"code": code})
    source = DataSource(
        code=code,
        department=department,
        kinds=list(dict.fromkeys(kinds)),
        delivery_mode=mode,
        contact=contact,
        query_url=query_url,
    )
    try:
        source.full_clean()
    except ValidationError as error:
        raise DeliveryError("; ".join(error.messages)) from None
    source.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="exchange.datasource",
        object_id=source.pk,
        purpose=Purpose.SYSTEM,
        detail={"code": code, "kinds": source.kinds, "mode": mode},
    )
    return source

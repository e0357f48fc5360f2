"""Names of a warning for people: its number, reason and category in plain words.

A signal's reason comes from the city's signal file in the page's language.
Missed-assistance and exit warnings name the scheme, phrased as something
to verify, because the scan only suggests and a person decides.
"""

from __future__ import annotations

from typing import Final

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.assessments.models import Scheme
from doudi.monitoring import signals
from doudi.monitoring.models import Warning

MISSED_PREFIX: Final = "missed:"
EXIT_PREFIX: Final = "exit:"

# The monitoring categories that signal files may use.
CATEGORY_LABELS: Final[dict[str, Promise]] = {
    "illness": gettext_lazy("Illness"),
    "disability": gettext_lazy("Disability"),
    "schooling": gettext_lazy("Schooling"),
    "unemployment": gettext_lazy("Unemployment"),
    "spending": gettext_lazy("Heavy spending"),
    "income": gettext_lazy("Income"),
    "bereavement": gettext_lazy("Death in the family"),
    "ageing": gettext_lazy("Ageing"),
    "isolation": gettext_lazy("Living alone"),
    "benefit": gettext_lazy("Loss of a benefit"),
    "missed_assistance": gettext_lazy("Missed assistance"),
    "exit_check": gettext_lazy("Exit check"),
}


def warning_number(warning: Warning) -> str:
    """Return the number people quote for a warning, also a case's source."""
    return f"W{warning.pk:08d}"


def scheme_label(code: str) -> str:
    return str(Scheme(code).label) if code in Scheme.values else code


def reason_text(reason_code: str) -> str:
    """Return the reason of a warning in plain words, in the active language.

    The signal file's text comes first. A code the file no longer has (a
    signal removed since the warning was raised) gets a phrase built here.
    """
    language = translation.get_language() or "zh-hans"
    text = signals.reason(reason_code, language)
    if text != reason_code:
        return text
    if reason_code.startswith(MISSED_PREFIX):
        scheme = scheme_label(reason_code.removeprefix(MISSED_PREFIX))
        return _("May qualify for %(scheme)s: verify") % {"scheme": scheme}
    if reason_code.startswith(EXIT_PREFIX):
        scheme = scheme_label(reason_code.removeprefix(EXIT_PREFIX))
        return _("May no longer qualify for %(scheme)s: re-check") % {"scheme": scheme}
    return _("Signal “%(code)s”") % {"code": reason_code}


def category_label(category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category

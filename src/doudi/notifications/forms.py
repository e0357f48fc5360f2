from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.notifications.choices import Language
from doudi.notifications.models import Preference


class TimeInput(forms.TimeInput):
    input_type = "time"


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of messages"), choices=Language)
    sms = forms.BooleanField(label=_("Text message to my phone"), required=False)
    email = forms.BooleanField(label=_("Email"), required=False)
    email_address = forms.EmailField(
        label=_("Email address"), required=False, max_length=254
    )
    wechat = forms.BooleanField(
        label=_("WeChat"),
        required=False,
        help_text=_("Available once your WeChat account is linked."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"), required=False, widget=TimeInput(format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=TimeInput(format="%H:%M"),
        help_text=_(
            "Messages that are not urgent wait until quiet hours end, "
            "for example from 22:00 to 07:00."
        ),
    )

    def __init__(self, *args: Any, wechat_linked: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wechat_linked = wechat_linked
        if not wechat_linked:
            self.fields["wechat"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and not data.get("email_address"):
            self.add_error("email_address", _("Enter an email address to get email."))
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error(
                "quiet_end", _("Enter both the start and the end of quiet hours.")
            )
        return data


def initial_for(preference: Preference) -> dict[str, Any]:
    return {
        "language": preference.language,
        "sms": preference.sms,
        "email": preference.email,
        "email_address": preference.email_address or "",
        "wechat": preference.wechat,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
    }

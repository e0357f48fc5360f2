"""Forms of the portal: phone, code, identity and the help request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.portal import phone as phones
from doudi.portal.choices import ContactMethod, HelpKind, Urgency, Who

MAX_DETAILS_CHARACTERS = 2000


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=32,
        help_text=_("We send a code to this phone by text message."),
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )

    def clean_phone(self) -> str:
        return phones.normalize(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The 6-digit code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "invalid": _("Enter the 6 digits of the code, with no letters.")
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class IdentityForm(forms.Form):
    name = forms.CharField(label=_("Your name, as on your ID card"), max_length=50)
    resident_id = forms.CharField(
        label=_("Your resident ID number"),
        max_length=24,
        help_text=_("18 characters; the last one may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class WorkerLinkForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Resident ID number, checked against the ID card"), max_length=24
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [
            super(MultipleFileField, self).clean(item, initial)
            for item in files
            if item
        ]


class HelpRequestForm(forms.Form):
    """The help request; `partial` accepts an unfinished draft."""

    who = forms.ChoiceField(
        label=_("Who needs help?"), choices=Who.choices, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(
        label=_("What kind of help?"),
        choices=HelpKind.choices,
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label=_("How soon do you need help?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
    )
    contact_method = forms.ChoiceField(
        label=_("How can we reach you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
    )
    contact_phone = forms.CharField(
        label=_("The other phone number"),
        required=False,
        max_length=32,
        help_text=_("Only if you chose “Call another phone”."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    details = forms.CharField(
        label=_("Anything else we should know (you may leave this empty)"),
        required=False,
        max_length=MAX_DETAILS_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    documents = MultipleFileField(
        label=_("Photos or PDF files of papers (you may skip this)"),
        required=False,
        help_text=_("Photos (JPEG or PNG) or PDF files, up to 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partial:
            for field in self.fields.values():
                field.required = False

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data.get("contact_phone") or ""
        return phones.normalize(raw) if raw.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("contact_method")
        missing = not data.get("contact_phone") and "contact_phone" not in self.errors
        if method == ContactMethod.OTHER_PHONE and missing:
            self.add_error(
                "contact_phone",
                ValidationError(
                    _("Enter the other phone number, or choose “Call this phone”.")
                ),
            )
        return data

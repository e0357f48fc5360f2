"""Forms of the payment roll page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.payments.reconcile import MAX_FILE_BYTES


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ResultsForm(forms.Form):
    results = forms.FileField(
        label=_("Bank results file (CSV)"),
        help_text=_(
            "Columns: line_id, status (paid or failed), reason_code, bank_reference."
        ),
    )

    def clean_results(self) -> object:
        upload = self.cleaned_data["results"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; split it.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload

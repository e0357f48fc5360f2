"""Forms of the operator pages: upload, filters, corrections and discards."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.exchange.api import MAX_FILE_BYTES
from doudi.exchange.kinds import FeedKind
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    DataSource,
    QuarantineReason,
    RowStatus,
)
from doudi.exchange.review import MAX_REASON_LENGTH, RawField

# A corrected value longer than this is a mistake, not a field value.
MAX_VALUE_LENGTH = 500


def _any(choices: Any) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Data source"),
        queryset=DataSource.objects.filter(active=True).order_by("code"),
    )
    kind = forms.ChoiceField(label=_("Kind of records"), choices=FeedKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(".csv (UTF-8 or GB18030), .xlsx, .jsonl or .parquet"),
    )
    supersedes = forms.IntegerField(
        label=_("Corrects batch (optional)"),
        required=False,
        min_value=1,
        help_text=_(
            "The number of an earlier batch of this source and kind that "
            "this file replaces."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, kind = data.get("source"), data.get("kind")
        if source is not None and kind and kind not in source.kinds:
            self.add_error(
                "kind",
                _("Source %(source)s is not registered to send these records.")
                % {"source": source.code},
            )
        upload = data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(limit)d MiB; split it.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        number = data.get("supersedes")
        if number is not None:
            data["supersedes_batch"] = Batch.objects.filter(pk=number).first()
            if data["supersedes_batch"] is None:
                self.add_error("supersedes", _("No batch has this number."))
        return data


class BatchFilter(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Data source"),
        queryset=DataSource.objects.order_by("code"),
        required=False,
        empty_label=_("Any"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of records"), choices=_any(FeedKind.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_any(BatchStatus.choices), required=False
    )


class QuarantineFilter(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=_any(QuarantineReason.choices), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of records"), choices=_any(FeedKind.choices), required=False
    )
    batch = forms.IntegerField(
        label=_("Batch"), required=False, min_value=1, max_value=2**62
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_any(RowStatus.choices), required=False
    )


class UnmatchedFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of records"), choices=_any(FeedKind.choices), required=False
    )
    batch = forms.IntegerField(
        label=_("Batch"), required=False, min_value=1, max_value=2**62
    )


class CorrectionForm(forms.Form):
    """One text field per column of the quarantined row, filled with its value."""

    def __init__(self, *args: Any, fields: list[RawField], **kwargs: Any) -> None:
        initial = {field.name: field.value for field in fields}
        super().__init__(*args, **{**kwargs, "initial": initial})
        for field in fields:
            self.fields[field.name] = forms.CharField(
                label=field.label,
                required=False,
                max_length=MAX_VALUE_LENGTH,
                strip=True,
            )

    def corrected(self) -> dict[str, str | None]:
        """Return the row as the pipeline reads it: empty values become None."""
        return {name: value or None for name, value in self.cleaned_data.items()}


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why discard this row"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.TextInput,
    )


class ConfirmForm(forms.Form):
    person = forms.IntegerField(min_value=1)

"""The upload form of an official holiday schedule."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.workdays.schedule_file import MAX_FILE_BYTES
from doudi.workdays.services import MAX_SOURCE_LENGTH, source_problem, year_problem


class ScheduleUploadForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        error_messages={
            "required": _("Enter the year of the schedule, such as 2027."),
            "invalid": _("Enter the year as four digits, such as 2027."),
        },
    )
    source = forms.CharField(
        label=_("Source (title, number or web address of the notice)"),
        max_length=MAX_SOURCE_LENGTH,
        error_messages={"required": _("Name the notice that the days come from.")},
    )
    file = forms.FileField(
        label=_("Schedule file (CSV, UTF-8)"),
        help_text=_("Header date,kind,name, then one line per day."),
        error_messages={
            "required": _("Choose the CSV file of the schedule."),
            "empty": _(
                "The chosen file is empty: choose the CSV file of the schedule."
            ),
        },
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        problem = year_problem(year)
        if problem:
            raise ValidationError(problem)
        return year

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"].strip()
        problem = source_problem(source)
        if problem:
            raise ValidationError(problem)
        return source

    def file_bytes(self) -> bytes:
        # One byte past the limit is enough for the service to reject the file.
        upload = self.cleaned_data["file"]
        return bytes(upload.read(MAX_FILE_BYTES + 1))

"""The rating form: stars, an optional comment and an optional complaint."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.feedback.models import MAX_RATING, MIN_RATING
from doudi.feedback.services import MAX_TEXT_CHARACTERS, Rating

STAR_CHOICES = [
    (5, _("5 — very good")),
    (4, _("4 — good")),
    (3, _("3 — acceptable")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was it?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        required=False,
        max_length=MAX_TEXT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    complaint = forms.CharField(
        label=_("Do you want to complain? Say what went wrong (optional)"),
        help_text=_(
            "A complaint is sent to the civil affairs office, which must answer it."
        ),
        required=False,
        max_length=MAX_TEXT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def entry(self) -> Rating:
        data = self.cleaned_data
        rating = int(data["rating"])
        assert MIN_RATING <= rating <= MAX_RATING
        return Rating(rating, data["comment"], data["complaint"])

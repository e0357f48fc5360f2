"""Pages of the review queue: the list, one pair, and the decision on it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from doudi.monitoring.duplicates import queries, review
from doudi.monitoring.duplicates.models import PairStatus
from doudi.privacy.access import can_reveal_full_id
from doudi.privacy.models import User


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("confirm", gettext_lazy("Same person: confirm and stop the second award")),
            ("reject", gettext_lazy("Different persons: not a duplicate")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    if not review.can_read_queue(user):
        queries.deny(user, request)
    return user


@login_required
@never_cache
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    status = queries.status_choice(request.GET.get("status"))
    page = queries.pair_page(user, status, request.GET.get("page"), request)
    context = {"page": page, "status": status, "statuses": PairStatus.choices}
    return render(request, "duplicates/queue.html", context)


@login_required
@never_cache
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    return _render_pair(request, user, pk, reveal=False)


@login_required
@never_cache
@require_POST
def pair_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    return _render_pair(request, user, pk, reveal=True)


def _render_pair(
    request: HttpRequest,
    user: User,
    pk: int,
    *,
    reveal: bool,
    form: DecisionForm | None = None,
) -> HttpResponse:
    view = queries.open_pair(user, pk, request, reveal=reveal)
    context = {
        "view": view,
        "pair": view.pair,
        "can_decide": user.role in review.DECIDING_ROLES
        and view.pair.status == PairStatus.PENDING,
        "can_reveal": can_reveal_full_id(user) and not view.revealed,
        "form": form or DecisionForm(initial={"version": view.pair.version}),
    }
    return render(
        request, "duplicates/pair_detail.html", context, status=400 if form else 200
    )


@login_required
@never_cache
@require_POST
def pair_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    pair = review.visible_pairs(user).filter(pk=pk).first()
    if pair is None:
        queries.deny(user, request, pk)
    assert pair is not None
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_pair(request, user, pk, reveal=False, form=form)
    action = (
        review.confirm_pair
        if form.cleaned_data["decision"] == "confirm"
        else review.reject_pair
    )
    try:
        action(
            pair,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            actor=user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_pair(request, user, pk, reveal=False, form=form)
    messages.success(request, _("Your decision is recorded."))
    return redirect("duplicates:pair_detail", pk=pk)

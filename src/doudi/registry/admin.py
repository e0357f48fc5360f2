"""Django admin for the registry: read-only, scoped by region, masked and audited.

Changes go through the services (pages, API, commands), so the admin only
lets staff look. Region edits are for the city administrator.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.privacy import access, audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.masking import mask_address, mask_name, mask_phone, mask_resident_id
from doudi.privacy.models import User
from doudi.registry.models import Household, Person, Region


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _sign_in_page(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """Send admin sign-ins to the project's sign-in page.

    Django's own admin login form checks only the password, so it would skip
    the second factor, the failure lockout and the sign-in audit entries.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(next_url, reverse("privacy:login"))


admin.site.login = _sign_in_page  # type: ignore[method-assign]


class ReadOnlyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    audit_type = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_staff_role(request.user) and access.can_read_registry(
            request.user
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        user = _user(request)
        if user is not None and self.has_view_permission(request):
            action = self._open_action(request, object_id)
            if action is not None:
                audit.record(
                    actor=user,
                    action=action,
                    object_type=self.audit_type,
                    object_id=object_id,
                    purpose=Purpose.CASE_WORK,
                    request=request,
                    detail={"via": "admin"},
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def _open_action(self, request: HttpRequest, object_id: str) -> AuditAction | None:
        """Return READ in scope, DENIED for a record outside it, None if missing."""
        if not object_id.isdecimal():
            return None
        if self.get_queryset(request).filter(pk=object_id).exists():
            return AuditAction.READ
        if self.model._default_manager.filter(pk=object_id).exists():
            return AuditAction.DENIED
        return None

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        user = _user(request)
        rows = getattr(
            getattr(response, "context_data", {}).get("cl"), "result_list", None
        )
        if user is not None and rows is not None:
            audit.record(
                actor=user,
                action=AuditAction.READ,
                object_type=self.audit_type,
                purpose=Purpose.CASE_WORK,
                request=request,
                record_count=len(rows),
                detail={"via": "admin", "ids": [row.pk for row in rows]},
            )
        return response


@admin.register(Household)
class HouseholdAdmin(ReadOnlyScopedAdmin):
    audit_type = "registry.household"
    list_display = [
        "id",
        "region",
        "masked_address",
        "single_parent",
        "lost_only_child",
    ]
    readonly_fields = ("region", "masked_address", "single_parent", "lost_only_child")
    fields = readonly_fields
    list_select_related = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        return access.scope_households(super().get_queryset(request), request.user)

    @admin.display(description=_("address"))
    def masked_address(self, obj: Household) -> str:
        return mask_address(obj.address)


@admin.register(Person)
class PersonAdmin(ReadOnlyScopedAdmin):
    audit_type = "registry.person"
    # Age, not the birth date: the birth date is exactly the 8 digits that the
    # masked resident ID hides, so showing both would give the full number.
    list_display = ["id", "masked_name", "sex", "age", "masked_resident_id"]
    readonly_fields = (
        "masked_name",
        "sex",
        "age",
        "masked_resident_id",
        "masked_phone",
        "hukou_type",
        "hukou_nature",
        "hukou_region_code",
        "residence_status",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return access.scope_persons(super().get_queryset(request), request.user)

    @admin.display(description=_("name"))
    def masked_name(self, obj: Person) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("age"))
    def age(self, obj: Person) -> int:
        return obj.age_on(timezone.localdate())

    @admin.display(description=_("resident ID"))
    def masked_resident_id(self, obj: Person) -> str:
        return mask_resident_id(obj.resident_id)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]
    readonly_fields = ["path"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return access.scope_regions(super().get_queryset(request), request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_staff_role(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_staff_role(request.user)

    # Read-only: moving a region would have to rewrite the paths of its whole
    # subtree (which scoping relies on) and be audited, which no admin form does.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from __future__ import annotations

from django.http import HttpRequest

from doudi.cases.queries import can_use_queue
from doudi.feedback.queries import may_read as can_read_ratings
from doudi.monitoring.duplicates.review import can_read_queue
from doudi.monitoring.permissions import has_work_list
from doudi.privacy import access
from doudi.privacy.choices import Role
from doudi.privacy.models import User


def staff_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {
        "current_role": user.get_role_display(),
        "current_region": user.region.name if user.region else "",
        "nav_registry": access.can_read_registry(user),
        "nav_audit": access.can_read_audit(user),
        "nav_statistics": access.is_staff_role(user),
        "nav_policy": user.is_active and user.role == Role.CITY_ADMIN,
        "nav_exchange": access.can_operate_exchange(user),
        "nav_workdays": user.is_active and user.role == Role.CITY_ADMIN,
        "nav_cases": can_use_queue(user),
        "nav_warnings": has_work_list(user),
        "nav_portal_requests": user.is_active and user.role == Role.COMMUNITY_WORKER,
        "nav_signals": user.is_active and user.role == Role.CITY_ADMIN,
        "nav_duplicates": can_read_queue(user),
        "nav_feedback": can_read_ratings(user),
        "nav_messages": access.is_staff_role(user),
        "nav_services": access.is_staff_role(user),
        "nav_payments": user.is_active
        and user.role in {Role.DISTRICT_APPROVER, Role.CITY_ADMIN},
    }

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_REVIEWER = "street_reviewer", _("Street office reviewer")
    DISTRICT_APPROVER = "district_approver", _("District civil affairs approver")
    CITY_ADMIN = "city_admin", _("City administrator")
    PROVIDER_STAFF = "provider_staff", _("Service provider staff")
    EMERGENCY_COORDINATOR = "emergency_coordinator", _("Emergency coordinator")
    AUDITOR = "auditor", _("Auditor")
    ANALYST = "analyst", _("Analyst")
    DATA_OPERATOR = "data_operator", _("Data exchange operator")
    RESIDENT = "resident", _("Resident")


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    REVEAL = "reveal", _("Full value shown")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    BATCH = "batch", _("Batch job")
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    DENIED = "denied", _("Access denied")


class Purpose(models.TextChoices):
    CASE_WORK = "case_work", _("Case work")
    MONITORING = "monitoring", _("Monitoring and early warning")
    VERIFICATION = "verification", _("Economic verification")
    EMERGENCY = "emergency", _("Emergency response")
    DATA_QUALITY = "data_quality", _("Data quality")
    AUDIT = "audit", _("Audit")
    OWN_RECORD = "own_record", _("Resident viewing own record")
    SYSTEM = "system", _("System operation")


# Readable names of the record types that audit entries name.
OBJECT_TYPE_LABELS = {
    "registry.household": _("Household record"),
    "registry.person": _("Person record"),
    "registry.membership": _("Household membership"),
    "registry.personfact": _("Person fact"),
    "registry.check": _("Monthly registry check"),
    "registry.synthetic_city": _("Synthetic demo city"),
    "privacy.user": _("User account"),
    "privacy.auditentry": _("Audit log"),
    "privacy.key_rotation": _("Encryption key rotation"),
    "verification.authorisation": _("Authorisation to verify a household"),
    "verification.request": _("Economic verification request"),
    "verification.report": _("Economic verification report"),
    "verification.batch": _("Batch economic verification"),
    "exchange.batch": _("Department data batch"),
    "exchange.datasource": _("Department data source"),
    "exchange.quarantinedrow": _("Quarantined department row"),
    "exchange.unmatchedrecord": _("Unmatched department record"),
    "exchange.query": _("Query to a department about households"),
    "policychanges.parameterchange": _("Policy parameter change"),
    "policychanges.affected_households": _("Households affected by a simulated reform"),
    "workdays.schedule": _("Official holiday schedule"),
    "payments.award": _("Award"),
    "payments.review": _("Award review"),
    "payments.reportedchange": _("Change reported by a household"),
    "payments.roll": _("Monthly payment roll"),
    "payments.bankfile": _("Bank payment file"),
    "payments.results": _("Bank results file"),
    "services.organization": _("Service catalogue organisation"),
    "services.service": _("Service catalogue service"),
    "services.catalogue": _("Service catalogue import or export"),
    "cases.case": _("Case"),
    "cases.document": _("Case document"),
    "cases.survey": _("Household survey"),
    "cases.notice": _("Public notice"),
    "cases.objection": _("Objection to a public notice"),
    "monitoring.warning": _("Early warning"),
    "monitoring.signalweight": _("Signal weight"),
    "monitoring.signal_outcomes": _("Signal outcomes and fairness figures"),
    "notifications.message": _("Notification"),
    "notifications.preference": _("Notification preferences"),
    "duplicates.run": _("Duplicate assistance check"),
    "duplicates.pair": _("Possible duplicate assistance"),
    "duplicates.importedlist": _("List imported from another city"),
    "feedback.feedback": _("Resident feedback"),
    "portal.account": _("Resident portal account"),
    "portal.helprequest": _("Help request from a resident"),
    "portal.document": _("Document sent with a help request"),
}

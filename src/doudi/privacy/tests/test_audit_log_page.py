from doudi.conftest import signed_in
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry

AUDIT_URL = "/account/audit/"


def test_reading_log_is_audited(users):
    signed_in(users["auditor"]).get(AUDIT_URL)
    entry = AuditEntry.objects.filter(object_type="privacy.auditentry").get()
    assert entry.action == AuditAction.READ
    assert entry.actor_id == users["auditor"].pk


def test_verify_request_is_recorded(users):
    signed_in(users["auditor"]).get(AUDIT_URL, {"verify": "1"})
    entry = AuditEntry.objects.filter(object_type="privacy.auditentry").get()
    assert entry.detail["verified"] is True


def test_log_shows_readable_record_types(users):
    audit.record(
        actor=users["owner"],
        action=AuditAction.READ,
        object_type="registry.household",
        object_id=7,
        purpose=Purpose.CASE_WORK,
    )
    client = signed_in(users["auditor"])
    page = client.get(AUDIT_URL, headers={"accept-language": "en"}).content.decode()
    assert "Household record 7" in page
    assert "registry.household" not in page


def test_admin_sign_out_is_audited(users):
    client = signed_in(users["city"])
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT).count() == 1

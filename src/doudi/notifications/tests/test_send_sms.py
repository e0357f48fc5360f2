"""send_sms, which the portal calls for sign-in codes."""

from __future__ import annotations

import logging

import pytest

from doudi.notifications.models import Delivery, Message
from doudi.notifications.outbound import SmsNotSent, outbox_path, send_sms
from doudi.notifications.providers import outbox
from doudi.notifications.tests.fakes import FakeAliyunSms

CODE = "482913"


@pytest.mark.django_db
def test_outbox_line_without_logging_code(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    message_id = send_sms("+8613800000000", "sign_in_code", {"code": CODE})

    lines = outbox.read("sms")
    assert lines == [
        {
            "id": message_id,
            "phone": "+8613800000000",
            "template": "sign_in_code",
            "params": {"code": CODE},
        }
    ]
    assert outbox_path().exists()
    assert CODE not in caplog.text
    assert "13800000000" not in caplog.text
    assert message_id in caplog.text
    assert Message.objects.count() == 0
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_aliyun_send_with_out_id(
    aliyun: FakeAliyunSms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    message_id = send_sms("+8613800000000", "sign_in_code", {"code": CODE})

    sent = aliyun.sent[0]
    assert sent["PhoneNumbers"] == "13800000000"
    assert sent["TemplateCode"] == "SMS_DOUDI_SIGN_IN_ZH"
    assert sent["OutId"] == message_id
    assert CODE not in caplog.text
    assert outbox.read("sms") == []


@pytest.mark.django_db
def test_aliyun_refusal_raises(aliyun: FakeAliyunSms) -> None:
    aliyun.script = ["isv.BUSINESS_LIMIT_CONTROL"]

    with pytest.raises(SmsNotSent) as raised:
        send_sms("+8613800000000", "sign_in_code", {"code": CODE})

    assert raised.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert CODE not in str(raised.value)


@pytest.mark.django_db
def test_portal_template_name_mapped(aliyun: FakeAliyunSms) -> None:
    send_sms("+8613800000000", "portal_sign_in_code", {"code": CODE})

    assert aliyun.sent[0]["TemplateCode"] == "SMS_DOUDI_SIGN_IN_ZH"

"""Pick each channel's sender from the settings."""

from __future__ import annotations

from doudi.notifications.choices import Channel
from doudi.notifications.conf import setting
from doudi.notifications.providers.aliyun import AliyunSmsSender
from doudi.notifications.providers.base import Sender
from doudi.notifications.providers.outbox import OutboxSender
from doudi.notifications.providers.smtp import SmtpSender
from doudi.notifications.providers.wechat import WeChatSender


def sms_sender() -> AliyunSmsSender | OutboxSender:
    url = setting("NOTIFY_ALIYUN_SMS_URL")
    return AliyunSmsSender(url) if url else OutboxSender(Channel.SMS)


def sender_for(channel: Channel | str) -> Sender:
    if channel == Channel.SMS:
        return sms_sender()
    if channel == Channel.EMAIL:
        host = setting("NOTIFY_SMTP_HOST")
        return SmtpSender(host) if host else OutboxSender(Channel.EMAIL)
    if channel == Channel.WECHAT:
        url = setting("NOTIFY_WECHAT_API_URL")
        return WeChatSender(url) if url else OutboxSender(Channel.WECHAT)
    raise ValueError(f"unknown channel {channel!r}: use sms, email or wechat")

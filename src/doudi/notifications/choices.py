from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """An outside channel; the portal inbox is the `Message` row itself."""

    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    # A send started but its result was never recorded and the provider
    # cannot be asked, so the message is not sent again.
    UNKNOWN = "unknown", _("Outcome unknown")


class Language(models.TextChoices):
    CHINESE = "zh-hans", _("Simplified Chinese")
    ENGLISH = "en", _("English")

"""Senders for the outside channels, one module per provider.

Each channel has an outbox sender, the embedded default that writes JSON
lines under DATA_DIR/outbox/, and a real provider chosen when its base URL
(or SMTP host) is set. No default points at a real host.
"""

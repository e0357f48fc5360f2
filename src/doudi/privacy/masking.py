"""Masked forms of personal values for roles that do not need them whole."""

from __future__ import annotations

from doudi.registry import resident_id


def mask_name(name: str) -> str:
    """Keep the surname character, hide the rest: 张三丰 → 张**."""
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_resident_id(value: str) -> str:
    if len(value) == 18:
        return resident_id.mask(value)
    return "*" * len(value)


def mask_address(address: str) -> str:
    """Keep the first 6 characters (the road), hide the numbers after it."""
    if len(address) <= 6:
        return address[:2] + "*" * max(len(address) - 2, 0)
    return address[:6] + "*" * 6

"""Masked forms of personal values for roles that do not need them whole."""

from __future__ import annotations

import re

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
    """Hide every digit, so the road shows but not the lane, house or room.

    上海市浦东新区张江镇田园762弄29号104室 → 上海市浦东新区张江镇田园***弄**号***室.
    An address without digits keeps only its first half.
    """
    masked = _DIGITS.sub("*", address)
    if masked != address:
        return masked
    keep = len(address) // 2
    return address[:keep] + "*" * (len(address) - keep)


# ASCII, full-width and Chinese numerals that number a lane, building or room.
_DIGITS = re.compile(r"[0-9０-９零〇一二三四五六七八九十百千]")

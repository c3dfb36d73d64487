"""Phone numbers as people say and PBXs send them, compared and masked.

"+49 171 2345678", "0049171-2345678" and "01712345678" are one caller; an audit entry shows only "+49*******78".
"""

from __future__ import annotations

import re

_SPOKEN_SEPARATORS = re.compile(r"[\s\-/().]")


def digits_of(number: str) -> str:
    """International prefix normalised: "+49 171" and "0049 171" both give "49171"; a national "0171" stays "0171"."""
    text = _SPOKEN_SEPARATORS.sub("", number.strip())
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        return digits
    return digits[2:] if digits.startswith("00") else digits


def is_international(number: str) -> bool:
    text = number.strip()
    return text.startswith("+") or _SPOKEN_SEPARATORS.sub("", text).startswith("00")


def same_number(a: str | None, b: str | None) -> bool:
    """True if both name the same line: equal digits, or one national (0...) and one international with the same subscriber part.

    The country code of an international number is 1-3 digits, so "0171 2345678" matches "+49 171 2345678".
    """
    if not a or not b:
        return False
    da, db = digits_of(a), digits_of(b)
    if len(da) < 3 or len(db) < 3:
        return False
    if da == db:
        return True
    for national, other, other_raw in ((da, db, b), (db, da, a)):
        if national.startswith("0") and not national.startswith("00") and is_international(other_raw):
            rest = national[1:]
            if len(rest) >= 6 and other.endswith(rest) and 1 <= len(other) - len(rest) <= 3:
                return True
    return False


def mask(number: str | None) -> str:
    """What an audit entry may keep: enough to tell requests apart, too little to call anyone."""
    if not number:
        return "-"
    digits = digits_of(number)
    if len(digits) < 6:
        return "***"
    head = 2 if is_international(number) else 1
    prefix = ("+" if head == 2 else "") + digits[:head]
    return f"{prefix}{'*' * max(3, len(digits) - head - 2)}{digits[-2:]}"

"""Roles of web accounts, each including the rights of the one before: viewer reads, staff works calls, owner administers."""

from __future__ import annotations

ROLES = ("viewer", "staff", "owner")


def allows(role: str, needed: str) -> bool:
    """True when `role` has at least the rights of `needed`."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)

"""CSRF protection: every form carries a token the server compares in constant time.

Signed in: the session's own token. The login form: a random token in a cookie and the same in the form (double submit).
"""

from __future__ import annotations

import hmac
import secrets

CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "vb_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))

"""Login rate limiting per client address: at most N attempts in a sliding minute, whatever account they try."""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW_S = 60.0


class LoginThrottle:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # endpoints run in a thread pool

    def allow(self, client: str, now: float | None = None) -> bool:
        """Count an attempt from `client`; False when it is over the limit (the attempt is not tried)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._attempts.setdefault(client, deque())
            while seen and now - seen[0] > WINDOW_S:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return False
            seen.append(now)
            if len(self._attempts) > 10000:  # a flood of addresses must not grow memory without bound
                self._attempts = {k: v for k, v in self._attempts.items() if v and now - v[-1] <= WINDOW_S}
            return True

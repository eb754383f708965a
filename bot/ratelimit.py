"""A per-sender message rate limit for the channel adapters.

Kept in process memory: with several gateway instances each allows the rate, which still stops a
flood from one sender stalling everyone else.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimit:
    """Messages per sender per minute, in this process.

    Messages over the limit are not counted, so a sender that keeps sending still gets the rate
    through; the notice about it goes out at most once per window.
    """

    def __init__(self, per_minute: int, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.clock = clock
        self.seen: dict[str, deque[float]] = {}
        self.warned: dict[str, float] = {}

    def allow(self, sender: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        if len(self.seen) > 10_000:
            self._forget(now)
        times = self.seen.setdefault(sender, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True

    def notice_due(self, sender: str) -> bool:
        now = self.clock()
        last = self.warned.get(sender)
        if last is not None and now - last < self.window_s:
            return False
        self.warned[sender] = now
        return True

    def _forget(self, now: float) -> None:
        for sender in [c for c, times in self.seen.items() if not times or times[-1] <= now - self.window_s]:
            del self.seen[sender]
        for sender in [c for c, at in self.warned.items() if at <= now - self.window_s]:
            del self.warned[sender]

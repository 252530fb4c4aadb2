"""Adaptive sampling: sample less often while the state is stable, back to normal on any change.

Each pose sample costs ~16 ms of CPU; a person who has been sitting still for minutes gains nothing
from two samples a second. The policy is pure: the camera loop tells it what the latest sample
showed and when, and asks how long to wait before the next one. The engine keys it on the
smoothed state and marks a sample whose raw state differs as unsettled: that is looked at again
soon, so a real change is confirmed quickly while a one-sample blip does not cost 30 s of
normal-rate sampling.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from hipcheck.core.settings import Settings

DEFAULT_SLOW_INTERVAL_S = 2.0
DEFAULT_STABLE_AFTER_S = 30.0


@dataclass
class AdaptiveRate:
    """Picks the interval until the next sample: normal, or slow once ``key`` stayed the same a while.

    ``key`` is whatever the caller counts as "the state" (usually the per-sample ``State``; any
    hashable works, e.g. a state plus a coarse posture bucket). A change of key, or a jump of the
    clock by more than ``stable_after_s`` (suspend, stall), returns to the normal rate at once.
    """

    normal_interval_s: float
    slow_interval_s: float = DEFAULT_SLOW_INTERVAL_S
    stable_after_s: float = DEFAULT_STABLE_AFTER_S
    enabled: bool = True
    _key: Hashable = field(default=None, init=False, repr=False)
    _stable_since_s: float | None = field(default=None, init=False, repr=False)
    _last_s: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.normal_interval_s <= 0:
            raise ValueError(f"normal_interval_s must be positive, got {self.normal_interval_s}")
        # Never let "slow" be faster than the user's own rate.
        self.slow_interval_s = max(self.slow_interval_s, self.normal_interval_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> AdaptiveRate:
        """The policy for ``settings.sample_rate_hz`` and ``settings.adaptive_sampling``."""
        return cls(
            normal_interval_s=1.0 / settings.sample_rate_hz, enabled=settings.adaptive_sampling
        )

    def update(self, key: Hashable, now_s: float, *, unsettled: bool = False) -> float:
        """Record what the sample at ``now_s`` showed; return seconds to wait before the next one.

        ``unsettled``: this sample disagrees with ``key`` (a raw state the smoothing has not
        taken yet): look again at the normal rate, without restarting the stable time, so a
        change is confirmed quickly and a one-sample blip costs one quick look, not
        ``stable_after_s`` of them.
        """
        jumped = self._last_s is not None and (
            now_s < self._last_s or now_s - self._last_s > self.stable_after_s
        )
        if self._stable_since_s is None or key != self._key or jumped:
            self._key = key
            self._stable_since_s = now_s
        self._last_s = now_s
        if unsettled and self.enabled:
            return self.normal_interval_s
        return self.interval_s(now_s)

    def interval_s(self, now_s: float) -> float:
        """The interval that applies at ``now_s`` given what has been recorded so far."""
        if not self.enabled or self._stable_since_s is None:
            return self.normal_interval_s
        if now_s - self._stable_since_s >= self.stable_after_s:
            return self.slow_interval_s
        return self.normal_interval_s

    @property
    def is_slow(self) -> bool:
        """Whether the last recorded sample put the policy in the slow rate."""
        return self._last_s is not None and self.interval_s(self._last_s) > self.normal_interval_s

    def reset(self) -> None:
        """Forget the history (after a pause, a camera change or a settings change)."""
        self._key = None
        self._stable_since_s = None
        self._last_s = None

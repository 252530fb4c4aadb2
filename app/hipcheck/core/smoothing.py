"""Turns the per-sample raw state into a steady state: one bad frame never flips it.

The rule works in time, not in sample counts, so it behaves the same at 2, 5 or 10 samples/s.
Each sample "covers" the time from its timestamp to the next sample's (sample and hold). When the
newest raw state ``C`` differs from the smoothed one, the smoother looks back over a window and
switches to ``C`` only if

* ``C`` covers at least ``min_hold_s`` of the window, and
* ``C`` covers at least ``min_share`` of the window's *known* time (sitting, standing, away), so a
  flicker of unknown frames during a move does not block the change.

Known states (sitting, standing, away): window 1.5 s, ``min_hold_s`` 0.5 s, ``min_share`` 0.6.
The newest sample covers no time yet, so a single frame different from its neighbours can never
win, at any rate. A real change wins once ``C`` covers 0.9 s (0.6 × 1.5 s) of the window: with a
sample period ``p`` that is at most ``0.9 s + p`` after the first ``C`` sample, and the first ``C``
sample is at most ``p`` after the real change, so the change shows within ``0.9 s + 2p``: 1.9 s at
2/s, 1.3 s at 5/s, 1.1 s at 10/s.

Unknown (person seen, posture unclear) from a known state: window 5 s and unknown must cover at
least ``unknown_min_share`` 0.8 of it, i.e. 4 s of mostly-unknown before a known state gives way.
From the initial unknown state any known state wins by the known rule. A raw unknown always
means someone is there, so from away it wins by the known rule too (with a simple majority of
the window): someone arriving ends "away" at least as fast as a known posture would.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import pairwise

from hipcheck.core.types import State

KNOWN_STATES = frozenset({State.SITTING, State.STANDING, State.AWAY})


@dataclass(frozen=True, slots=True)
class SmootherConfig:
    """The smoothing windows; see the module docstring for what each guarantees."""

    window_s: float = 1.5
    min_hold_s: float = 0.5
    min_share: float = 0.6
    unknown_window_s: float = 5.0
    unknown_min_share: float = 0.8

    def __post_init__(self) -> None:
        if self.window_s <= 0 or self.unknown_window_s <= 0:
            raise ValueError("smoothing windows must be positive")
        if not 0.5 <= self.min_share <= 1.0 or not 0.5 <= self.unknown_min_share <= 1.0:
            raise ValueError("smoothing shares must be between 0.5 and 1")
        if not 0 < self.min_hold_s <= self.window_s:
            raise ValueError("min_hold_s must be positive and at most window_s")


class StateSmoother:
    """Per-sample raw ``State`` in, smoothed ``State`` out, with time-based hysteresis."""

    def __init__(self, config: SmootherConfig | None = None, initial: State = State.UNKNOWN):
        self.config = config or SmootherConfig()
        self._state = initial
        # (timestamp_s, raw state), oldest first; only as far back as the longest window needs.
        self._samples: deque[tuple[float, State]] = deque()

    @property
    def state(self) -> State:
        """The current smoothed state."""
        return self._state

    def reset(self, state: State) -> None:
        """Forget the history and hold ``state`` (after a gap in the samples)."""
        self._state = state
        self._samples.clear()

    def update(self, raw: State, t_s: float) -> State:
        """Feed one raw sample taken at ``t_s`` (non-decreasing) and return the smoothed state."""
        if self._samples and t_s < self._samples[-1][0]:
            # A clock step backwards would give negative coverage; treat it as simultaneous.
            t_s = self._samples[-1][0]
        self._samples.append((t_s, raw))
        horizon = max(self.config.window_s, self.config.unknown_window_s)
        # Keep one sample older than the horizon: it covers the start of the window.
        while len(self._samples) >= 2 and self._samples[1][0] <= t_s - horizon:
            self._samples.popleft()
        if raw != self._state and self._wins(raw, t_s):
            self._state = raw
        return self._state

    def _coverage(self, t_s: float, window_s: float) -> dict[State, float]:
        """Seconds of ``[t_s - window_s, t_s]`` each raw state covers (sample and hold)."""
        start = t_s - window_s
        cover: dict[State, float] = {}
        for (t0, state), (t1, _) in pairwise(self._samples):
            lo, hi = max(t0, start), min(t1, t_s)
            if hi > lo:
                cover[state] = cover.get(state, 0.0) + (hi - lo)
        return cover

    def _wins(self, candidate: State, t_s: float) -> bool:
        """Whether ``candidate`` (the newest raw state) has earned the switch."""
        cfg = self.config
        # Tiny tolerance so 0.9 s built from float steps like 0.1 + 0.1 + ... still counts.
        eps = 1e-6
        if candidate == State.UNKNOWN and self._state != State.AWAY:
            cover = self._coverage(t_s, cfg.unknown_window_s)
            return (
                cover.get(State.UNKNOWN, 0.0) >= cfg.unknown_min_share * cfg.unknown_window_s - eps
            )
        cover = self._coverage(t_s, cfg.window_s)
        mine = cover.get(candidate, 0.0)
        known = sum(v for s, v in cover.items() if s in KNOWN_STATES or s == candidate)
        # Someone arriving against "away" needs only the majority of the window.
        share = 0.5 if candidate == State.UNKNOWN else cfg.min_share
        return mine >= cfg.min_hold_s - eps and mine >= share * known - eps

"""Adaptive sampling policy: slow while stable, normal at once on change, jump or pause."""

from __future__ import annotations

import pytest

from hipcheck.core.sampling import AdaptiveRate
from hipcheck.core.settings import Settings
from hipcheck.core.types import State


def run(policy: AdaptiveRate, keys: list[tuple[float, State]]) -> list[float]:
    """Feed (time, state) pairs; return the interval after each."""
    return [policy.update(key, t) for t, key in keys]


def test_normal_until_stable_then_slow() -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, slow_interval_s=2.0, stable_after_s=10.0)
    out = run(policy, [(t * 0.5, State.SITTING) for t in range(0, 22)])
    # 0 .. 9.5 s: normal; from 10 s on: slow.
    assert out[:20] == [0.5] * 20
    assert out[20:] == [2.0, 2.0]
    assert policy.is_slow


def test_change_returns_to_normal_immediately() -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, slow_interval_s=2.0, stable_after_s=10.0)
    run(policy, [(float(t), State.SITTING) for t in range(0, 12)])
    assert policy.is_slow
    assert policy.update(State.STANDING, 13.0) == 0.5
    assert not policy.is_slow
    # and it takes another full stable period to slow down again
    assert policy.update(State.STANDING, 22.9) == 0.5
    assert policy.update(State.STANDING, 23.0) == 2.0


def test_an_unsettled_sample_looks_again_soon_without_restarting_the_stable_time() -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, slow_interval_s=2.0, stable_after_s=10.0)
    run(policy, [(float(t), State.SITTING) for t in range(0, 12)])
    assert policy.is_slow
    # One raw sample that the smoothed state has not taken: a quick look, then slow again at
    # once (a blip), not a whole stable period at the normal rate.
    assert policy.update(State.SITTING, 13.0, unsettled=True) == 0.5
    assert policy.update(State.SITTING, 13.5) == 2.0
    # Disabled, the flag changes nothing.
    off = AdaptiveRate(normal_interval_s=0.5, enabled=False)
    assert off.update(State.SITTING, 0.0, unsettled=True) == 0.5


@pytest.mark.parametrize("jump_to_s", [100.0, 5.0])
def test_clock_jump_counts_as_change(jump_to_s: float) -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, slow_interval_s=2.0, stable_after_s=10.0)
    run(policy, [(float(t), State.SITTING) for t in range(10, 25)])
    assert policy.is_slow
    # forward by more than stable_after_s (suspend) or backwards (clock set back)
    assert policy.update(State.SITTING, jump_to_s) == 0.5


def test_disabled_never_slows() -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, enabled=False)
    assert set(run(policy, [(float(t), State.AWAY) for t in range(0, 300)])) == {0.5}


def test_slow_never_faster_than_user_rate() -> None:
    policy = AdaptiveRate(normal_interval_s=5.0, slow_interval_s=2.0, stable_after_s=10.0)
    assert set(run(policy, [(float(t), State.AWAY) for t in range(0, 100, 5)])) == {5.0}


def test_reset_forgets_history() -> None:
    policy = AdaptiveRate(normal_interval_s=0.5, slow_interval_s=2.0, stable_after_s=10.0)
    run(policy, [(float(t), State.SITTING) for t in range(0, 15)])
    policy.reset()
    assert policy.update(State.SITTING, 15.0) == 0.5


def test_from_settings_uses_rate_and_switch() -> None:
    on = AdaptiveRate.from_settings(Settings(sample_rate_hz=4.0))
    off = AdaptiveRate.from_settings(Settings(adaptive_sampling=False))
    assert on.normal_interval_s == 0.25 and on.enabled
    assert off.normal_interval_s == 0.5 and not off.enabled


def test_rejects_non_positive_interval() -> None:
    with pytest.raises(ValueError):
        AdaptiveRate(normal_interval_s=0.0)

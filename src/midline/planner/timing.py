"""How long an exercise takes in a session: the one place the planner's time constants live.

seconds = sets x reps x (squeeze + hold + release + pulses x PULSE_S) x sides
          + set-up + SIDE_SWITCH_S (unilateral) + REST_BETWEEN_SETS_S x (sets - 1) + TRANSITION_S
"""

from __future__ import annotations

import math

REST_BETWEEN_SETS_S = 20.0
"""Rest between two sets of the same exercise."""
SIDE_SWITCH_S = 10.0
"""Turning over / changing legs once for a unilateral exercise (all sets one side, then the other)."""
TRANSITION_S = 15.0
"""Moving on to the next exercise (put the prop away, change the leg position)."""
PULSE_S = 0.5
"""One small pulse at the squeeze, when a progression adds pulses."""


def exercise_seconds(
    *,
    sets: int,
    reps: int,
    squeeze_s: float,
    hold_s: float,
    release_s: float,
    pulses: int,
    unilateral: bool,
    setup_s: float,
) -> int:
    """Whole seconds (rounded up) one exercise takes in a session, both sides included."""
    sides = 2 if unilateral else 1
    rep_s = squeeze_s + hold_s + release_s + pulses * PULSE_S
    total = (
        sets * reps * rep_s * sides
        + setup_s
        + (SIDE_SWITCH_S if unilateral else 0.0)
        + REST_BETWEEN_SETS_S * (sets - 1)
        + TRANSITION_S
    )
    return math.ceil(total - 1e-9)

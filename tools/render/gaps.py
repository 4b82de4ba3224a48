"""Signed surface gaps between the two legs, measured on the posed mesh itself.

At a level (a point on each leg's centre line and that leg's axis there), take each leg's vertices in a
thin slab across the axis. Apart: the gap is the smallest distance between the two slabs' vertices.
Overlapping (LBS lets soft tissue press into the other leg): the gap is minus the overlap of the two
slabs' extents along the line joining the two centres (for round limbs, the depth on that line).
"""

from __future__ import annotations

import numpy as np


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.linalg.norm(v))


def slab(points: np.ndarray, centre: np.ndarray, axis: np.ndarray, half_width: float) -> np.ndarray:
    """The points within half_width of the plane through centre across axis."""
    return points[np.abs((points - centre) @ _unit(axis)) <= half_width]


def surface_gap(
    leg_a: np.ndarray,
    leg_b: np.ndarray,
    centre_a: np.ndarray,
    centre_b: np.ndarray,
    axis_a: np.ndarray,
    axis_b: np.ndarray,
    half_width: float = 0.01,
) -> float:
    """Signed gap (metres) between two legs' vertex sets at one level; negative = overlap depth."""
    a = slab(leg_a, centre_a, axis_a, half_width)
    b = slab(leg_b, centre_b, axis_b, half_width)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("no mesh vertices in the slab at this level; widen half_width")
    axis = _unit(_unit(axis_a) + _unit(axis_b))
    d = centre_b - centre_a
    d = _unit(d - (d @ axis) * axis)

    along = float(((b - centre_a) @ d).min() - ((a - centre_a) @ d).max())
    if along <= 0.0:
        return along
    diff = a[:, None, :] - b[None, :, :]
    return float(np.sqrt((diff**2).sum(axis=2).min()))

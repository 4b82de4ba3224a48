"""A block's weekly session pattern as a mixed-integer programme, solved with scipy's HiGHS.

The pattern is ``weeks`` x ``per_week`` sessions (two alternating weeks when there is one session a
week, so that consecutive sessions can differ; otherwise one week, repeated through the block).

Variables: binary x[v, s] (pair v = (exercise, leg position) done in session s), z[s, p] (session
s uses position p), u[e] (exercise e is used somewhere), a[e, k] / b[e, k] (e is in one session of
the k-th consecutive pair and not in the other); continuous short[s] (seconds session s falls
short of FILL of its budget).
Constraints, by family (``relax`` drops one family, which is how infeasibility is explained):
  always     an exercise at most once per session; x <= z; every session has an exercise;
             sum x + short >= FILL x budget
  coverage   in each pattern week, every target is a primary muscle of some exercise
  positions  in each pattern week, every leg position is used
  time       each session's seconds (at the block's heaviest progressed dose) <= its budget
  variety    consecutive sessions differ in their exercises: along the pattern, from its last
             session back to its first (the pattern repeats), and from the session before the block
Objective (minimised): SHORT_COST x shortfall / budget + POSITION_COST x positions per session
  - VARIETY_GAIN x distinct exercises - CHANGE_GAIN x exercises new to their session slot
  - PREFER_GAIN x preferred slots + a tiny deterministic tie-break.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

Family = Literal["coverage", "positions", "time", "variety"]
FAMILIES: tuple[Family, ...] = ("coverage", "positions", "time", "variety")

FILL = 0.85
"""Sessions should use at least this share of their minutes; falling short is penalised."""
SHORT_COST = 2.0
POSITION_COST = 0.1
"""Cost of each leg position a session uses (few position changes within a session)."""
VARIETY_GAIN = 0.05
CHANGE_GAIN = 0.02
PREFER_GAIN = 0.03
TIE_BREAK = 1e-5
MIP_GAP = 0.01
"""Relative optimality gap at which HiGHS stops (deterministic: no wall-clock limit decides)."""
MIP_ABS_GAP = 0.02
"""Absolute gap at which HiGHS stops: about 1 % of one session's fill. The objective's values are
small, so the relative gap alone makes HiGHS prove optimality among near-equal fillings (seconds)."""


@dataclass(frozen=True)
class PatternProblem:
    """The block's inputs as indices (exercise order = catalog order)."""

    seconds: tuple[int, ...]
    """Per exercise, at the block's heaviest dose."""
    positions_of: tuple[tuple[int, ...], ...]
    """Per exercise, the leg-position indices it can be done in."""
    n_positions: int
    covers: tuple[tuple[int, ...], ...]
    """Per target, the exercises that train it as a primary muscle."""
    per_week: int
    weeks: int
    budget_s: int
    previous: frozenset[int] | None = None
    """Exercises of the session just before the block."""
    last_pattern: tuple[frozenset[int], ...] = ()
    """The previous block's sessions (exercise sets), to prefer a change of exercises."""
    preferred_exercises: frozenset[int] = field(default_factory=frozenset)
    preferred_positions: frozenset[int] = field(default_factory=frozenset)

    @property
    def sessions(self) -> int:
        return self.per_week * self.weeks


Selection = tuple[tuple[tuple[int, int], ...], ...]
"""Per pattern session, the (exercise, position) pairs chosen."""


class _Rows:
    """Sparse constraint rows lb <= A x <= ub, gathered one at a time."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, terms: Sequence[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(self.lb)
        for c, v in terms:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lb.append(lb)
        self.ub.append(ub)

    def constraint(self, n_vars: int) -> LinearConstraint:
        a = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lb), n_vars)).tocsr()
        return LinearConstraint(a, np.array(self.lb), np.array(self.ub))


def solve_pattern(
    problem: PatternProblem,
    relax: frozenset[Family] = frozenset(),
    session_positions: Sequence[Sequence[int]] | None = None,
) -> Selection | None:
    """The block's session pattern, or None when the kept constraint families cannot all be met.

    ``session_positions`` restricts each pattern session to some leg positions (the planner first
    tries one position per session, rotating, which is fast and has no position change at all).
    """
    n_ex = len(problem.seconds)
    n_s = problem.sessions
    n_p = problem.n_positions
    allowed = session_positions or [range(n_p)] * n_s
    pairs = [(e, p) for e in range(n_ex) for p in problem.positions_of[e]]
    cells = [(v, s) for s in range(n_s) for v, (_, p) in enumerate(pairs) if p in allowed[s]]
    if not cells:
        return None
    inf = np.inf
    # consecutive session pairs to keep different: along the pattern, and wrapping round
    links = [(s, s + 1) for s in range(n_s - 1)]
    if n_s > 2:
        links.append((n_s - 1, 0))

    n_x = len(cells)
    z0 = n_x
    u0 = z0 + n_s * n_p
    a0 = u0 + n_ex
    b0 = a0 + len(links) * n_ex
    w0 = b0 + len(links) * n_ex
    n_vars = w0 + n_s

    def z(s: int, p: int) -> int:
        return z0 + s * n_p + p

    cells_of: dict[tuple[int, int], list[int]] = {}
    for i, (v, s) in enumerate(cells):
        cells_of.setdefault((pairs[v][0], s), []).append(i)

    def y(e: int, s: int, coef: float = 1.0) -> list[tuple[int, float]]:
        return [(i, coef) for i in cells_of.get((e, s), [])]

    def timed(s: int) -> list[tuple[int, float]]:
        return [t for e in range(n_ex) for t in y(e, s, float(problem.seconds[e]))]

    m = _Rows()
    for s in range(n_s):
        for e in range(n_ex):
            if len(cells_of.get((e, s), [])) > 1:
                m.add(y(e, s), -inf, 1)
        m.add([t for e in range(n_ex) for t in y(e, s)], 1, inf)
        m.add([*timed(s), (w0 + s, 1.0)], FILL * problem.budget_s, inf)
        if "time" not in relax:
            m.add(timed(s), -inf, problem.budget_s)
    for i, (v, s) in enumerate(cells):
        m.add([(i, 1.0), (z(s, pairs[v][1]), -1.0)], -inf, 0)
    for e in range(n_ex):
        m.add([(u0 + e, 1.0)] + [t for s in range(n_s) for t in y(e, s, -1.0)], -inf, 0)
    for week in range(problem.weeks):
        days = set(range(week * problem.per_week, (week + 1) * problem.per_week))
        if "coverage" not in relax:
            for exercises in problem.covers:
                m.add([t for e in exercises for s in days for t in y(e, s)], 1, inf)
        if "positions" not in relax:
            for p in range(n_p):
                m.add([(i, 1.0) for i, (v, s) in enumerate(cells) if s in days and pairs[v][1] == p], 1, inf)
    if "variety" not in relax:
        for k, (s, t) in enumerate(links):
            a = [a0 + k * n_ex + e for e in range(n_ex)]
            b = [b0 + k * n_ex + e for e in range(n_ex)]
            for e in range(n_ex):
                m.add([(a[e], 1.0), *y(e, s, -1.0)], -inf, 0)
                m.add([(a[e], 1.0), *y(e, t)], -inf, 1)
                m.add([(b[e], 1.0), *y(e, t, -1.0)], -inf, 0)
                m.add([(b[e], 1.0), *y(e, s)], -inf, 1)
            m.add([(i, 1.0) for i in a + b], 1, inf)
        if problem.previous is not None:
            prev = problem.previous
            m.add([t for e in range(n_ex) for t in y(e, 0, -1.0 if e in prev else 1.0)], 1 - len(prev), inf)

    c = np.zeros(n_vars)
    for i, (v, s) in enumerate(cells):
        e, p = pairs[v]
        before = problem.last_pattern[s % len(problem.last_pattern)] if problem.last_pattern else None
        gain = 0.0
        if before is not None and e not in before:
            gain += CHANGE_GAIN
        if e in problem.preferred_exercises:
            gain += PREFER_GAIN
        if p in problem.preferred_positions:
            gain += PREFER_GAIN
        c[i] = -gain + TIE_BREAK * (1 + (v * 7 + s * 3) % 11)
    c[z0:u0] = POSITION_COST
    c[u0 : u0 + n_ex] = -VARIETY_GAIN
    c[w0:] = SHORT_COST / problem.budget_s
    integrality = np.ones(n_vars)
    integrality[w0:] = 0
    upper = np.ones(n_vars)
    upper[w0:] = inf

    with warnings.catch_warnings():
        # scipy passes options it does not know (mip_abs_gap) to HiGHS verbatim, with a warning
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        res = milp(
            c,
            constraints=m.constraint(n_vars),
            integrality=integrality,
            bounds=Bounds(0, upper),
            options={"mip_rel_gap": MIP_GAP, "mip_abs_gap": MIP_ABS_GAP, "presolve": True},
        )
    if res.x is None or res.status != 0:
        return None
    chosen = np.round(res.x[:n_x]).astype(int)
    return tuple(
        tuple(sorted(pairs[v] for i, (v, t) in enumerate(cells) if t == s and chosen[i] == 1))
        for s in range(n_s)
    )

"""Build a multi-week programme: progression by week, one MILP per block of weeks, reuse of repeats."""

from __future__ import annotations

from dataclasses import dataclass

from midline.catalog import Catalog, load_catalog
from midline.catalog.models import Exercise
from midline.planner import explain
from midline.planner.coverage import Target, targets
from midline.planner.eligibility import Eligibility, eligible
from midline.planner.model import PatternProblem, Selection, solve_pattern
from midline.planner.plan import (
    NOTE,
    SPREAD,
    Coverage,
    Habit,
    Plan,
    PlannedExercise,
    Session,
    Week,
)
from midline.planner.profile import Profile, check_against_catalog
from midline.planner.progression import (
    DELOAD_EVERY,
    LADDER,
    Prescription,
    change_words,
    is_deload,
    prescribe,
)

PATTERN_WEEKS_ONE_DAY = 2
"""With one session a week the pattern is two alternating weeks, so consecutive sessions differ."""

PatternKey = tuple[int, frozenset[int] | None, tuple[frozenset[int], ...], int]


@dataclass
class _Context:
    """Everything fixed for the whole plan, plus the caches of prescriptions and solved patterns."""

    profile: Profile
    catalog: Catalog
    exercises: tuple[Exercise, ...]
    targets: tuple[Target, ...]
    positions: tuple[str, ...]
    props: frozenset[str]
    prescriptions: dict[tuple[int, bool], tuple[Prescription, ...]]
    solved: dict[PatternKey, Selection | None]

    def prescribed(self, step: int, deload: bool) -> tuple[Prescription, ...]:
        key = (min(step, len(LADDER)), deload)
        if key not in self.prescriptions:
            self.prescriptions[key] = tuple(
                prescribe(ex, self.catalog, self.props, step, deload) for ex in self.exercises
            )
        return self.prescriptions[key]

    def problem(
        self, step: int, previous: frozenset[int] | None, last_pattern: tuple[frozenset[int], ...]
    ) -> PatternProblem:
        pres = self.prescribed(step, False)
        pos_index = {p: i for i, p in enumerate(self.positions)}
        prefer = set(self.profile.prefer)
        return PatternProblem(
            seconds=tuple(p.seconds for p in pres),
            positions_of=tuple(tuple(pos_index[p] for p in ex.positions) for ex in self.exercises),
            n_positions=len(self.positions),
            covers=tuple(
                tuple(i for i, ex in enumerate(self.exercises) if t.trained_by(ex)) for t in self.targets
            ),
            per_week=self.profile.days,
            weeks=PATTERN_WEEKS_ONE_DAY if self.profile.days == 1 and self.profile.weeks > 1 else 1,
            budget_s=self.profile.minutes * 60,
            previous=previous,
            last_pattern=last_pattern,
            preferred_exercises=frozenset(i for i, ex in enumerate(self.exercises) if ex.id in prefer),
            preferred_positions=frozenset(i for i, p in enumerate(self.positions) if p in prefer),
        )

    def solve(
        self,
        step: int,
        previous: frozenset[int] | None,
        last_pattern: tuple[frozenset[int], ...],
        offset: int,
    ) -> Selection | None:
        """Solve the block's pattern: first with the leg positions dealt round the week's sessions
        from ``offset`` (each session gets one position when there are three or more sessions, so
        no position changes; fast), then, if that cannot work, letting the MILP place positions."""
        key = (min(step, len(LADDER)), previous, last_pattern, offset)
        if key not in self.solved:
            problem = self.problem(step, previous, last_pattern)
            dealt = deal_positions(problem.per_week, len(self.positions), offset)
            found = solve_pattern(
                problem, session_positions=[dealt[s % problem.per_week] for s in range(problem.sessions)]
            )
            self.solved[key] = found or solve_pattern(problem)
        return self.solved[key]


def deal_positions(sessions: int, positions: int, offset: int) -> list[list[int]]:
    """Leg positions dealt round the sessions like cards: 3 sessions get one each, 2 get two and
    one, 4 get one each with the first position twice."""
    out: list[list[int]] = [[] for _ in range(sessions)]
    for i in range(max(sessions, positions)):
        out[i % sessions].append((offset + i) % positions)
    return out


def _usable(
    profile: Profile, catalog: Catalog, elig: Eligibility
) -> tuple[tuple[Exercise, ...], dict[str, str]]:
    """Allowed exercises whose starting dose fits one session; reasons for every one left out."""
    budget = profile.minutes * 60
    reasons = dict(elig.excluded)
    usable: list[Exercise] = []
    for ex in elig.exercises:
        seconds = prescribe(ex, catalog, elig.props, 0, False).seconds
        if seconds > budget:
            reasons[ex.id] = f"takes {seconds / 60:.1f} min, longer than a {profile.minutes}-minute session"
        else:
            usable.append(ex)
    return tuple(usable), reasons


def _week(ctx: _Context, index: int, step: int, deload: bool, held: bool, sel: Selection) -> Week:
    pres = ctx.prescribed(step, deload)
    weekdays = SPREAD[ctx.profile.days]
    sessions = []
    for s, chosen in enumerate(sel):
        ordered = sorted(chosen, key=lambda ep: (ep[1], ep[0]))  # group by leg position
        items = []
        for e, p in ordered:
            ex, rx = ctx.exercises[e], pres[e]
            items.append(
                PlannedExercise(
                    exercise=ex.id,
                    name=ex.name,
                    sets=rx.sets,
                    reps=rx.reps,
                    unilateral=rx.unilateral,
                    squeeze_s=rx.squeeze_s,
                    hold_s=rx.hold_s,
                    release_s=rx.release_s,
                    pulses=rx.pulses,
                    position=ctx.positions[p],
                    prop=rx.prop,
                    placement=rx.placement,
                    lever=rx.lever,
                    seconds=rx.seconds,
                )
            )
        sessions.append(Session(index=s + 1, weekday=weekdays[s], exercises=tuple(items)))
    return Week(
        index=index,
        deload=deload,
        step=step,
        held=held,
        change=change_words(step, deload, held),
        sessions=tuple(sessions),
        coverage=_coverage(ctx, sessions),
    )


def _coverage(ctx: _Context, sessions: list[Session]) -> Coverage:
    primary = dict.fromkeys(ctx.catalog.muscles, 0)
    secondary = dict.fromkeys(ctx.catalog.muscles, 0)
    positions = dict.fromkeys(ctx.positions, 0)
    done: list[Exercise] = []
    for session in sessions:
        for item in session.exercises:
            ex = ctx.catalog.exercises[item.exercise]
            done.append(ex)
            positions[item.position] += 1
            for m in ex.primary_muscles:
                primary[m] += 1
            for m in ex.secondary_muscles:
                secondary[m] += 1
    met = {t.label: any(t.trained_by(ex) for ex in done) for t in ctx.targets}
    return Coverage(primary=primary, secondary=secondary, positions=positions, targets=met)


def _block_steps(start: int, end: int, step: int) -> dict[int, int]:
    """The intended progression step of each week of a block (deload weeks keep the step before)."""
    out: dict[int, int] = {}
    for week in range(start, end + 1):
        if not is_deload(week) and week > 1:
            step += 1
        out[week] = step
    return out


def build_plan(profile: Profile, catalog: Catalog | None = None) -> Plan:
    """The programme for ``profile``; raises PlanInfeasibleError naming the constraint that fails.

    Deterministic: the same profile and catalog give the same plan. The weeks are planned in blocks
    of DELOAD_EVERY weeks (three progressive weeks and a deload): one MILP per block picks the
    session pattern at the block's heaviest dose, so every week of the block fits its minutes, and
    each week gets its own progressed dose. When the heaviest dose cannot fit, the block's last
    steps are held. A block whose heaviest dose repeats the previous block's (the progression has
    plateaued) reuses its pattern without solving.
    """
    catalog = catalog or load_catalog()
    check_against_catalog(profile, catalog)
    elig = eligible(profile, catalog)
    usable, reasons = _usable(profile, catalog, elig)
    tgs = targets(catalog)
    explain.check_requirements(catalog, tgs, usable, reasons)
    ctx = _Context(
        profile=profile,
        catalog=catalog,
        exercises=usable,
        targets=tgs,
        positions=tuple(catalog.positions),
        props=elig.props,
        prescriptions={},
        solved={},
    )
    explain.check_time(ctx.problem(0, None, ()), profile.minutes, profile.days, len(ctx.positions))

    weeks: list[Week] = []
    step = 0
    last_session: frozenset[int] | None = None
    pattern: Selection | None = None
    pattern_step = -1
    phase = 0
    for start in range(1, profile.weeks + 1, DELOAD_EVERY):
        intended = _block_steps(start, min(start + DELOAD_EVERY - 1, profile.weeks), step)
        top = max(intended.values())
        last_pattern = tuple(frozenset(e for e, _ in s) for s in pattern) if pattern else ()
        for cap in range(top, step - 1, -1):
            if pattern is not None and min(cap, len(LADDER)) == pattern_step:
                break  # same heaviest dose as the previous block: keep its pattern
            found = ctx.solve(cap, last_session, last_pattern, (start // DELOAD_EVERY) % len(ctx.positions))
            if found is not None:
                pattern, pattern_step, phase = found, min(cap, len(LADDER)), 0
                break
        else:
            raise explain.explain_block(ctx.problem(step, last_session, last_pattern), start, profile.minutes)
        assert pattern is not None
        for index, want in intended.items():
            deload = is_deload(index)
            k = min(want, cap)
            first = (phase % (len(pattern) // profile.days)) * profile.days
            week = _week(
                ctx, index, k, deload, k < want and not deload, pattern[first : first + profile.days]
            )
            if any(session.seconds > profile.minutes * 60 for session in week.sessions):
                raise RuntimeError(f"planner bug: a session of week {index} runs over its minutes")
            weeks.append(week)
            phase += 1
            last_session = frozenset(e for e, _ in pattern[first + profile.days - 1])
            if not deload:
                step = k

    notes = [
        f"nothing in the catalog matched avoid {a!r} (not an exercise id or a listed contraindication);"
        " check the spelling"
        for a in elig.unmatched_avoid
    ]
    too_long = [ex_id for ex_id, why in reasons.items() if why.startswith("takes ")]
    if too_long:
        notes.append(f"left out, longer than one session: {', '.join(too_long)}")
    return Plan(
        profile=profile,
        note=NOTE,
        habits=tuple(Habit(h.id, h.name, h.summary) for h in elig.habits),
        weeks=tuple(weeks),
        notes=tuple(notes),
        targets={t.label: t.name for t in tgs},
    )

"""The plan as a Markdown document: one table per week, the coverage matrix, habits and the note."""

from __future__ import annotations

from midline.planner.plan import Plan, PlannedExercise


def prop_words(item: PlannedExercise) -> str:
    """ "ring @ above-knees", or "-" for body weight."""
    return "-" if item.prop == "none" else f"{item.prop} @ {item.placement}"


def sets_reps(item: PlannedExercise) -> str:
    pulses = f" + {item.pulses} pulses" if item.pulses else ""
    return f"{item.sets} x {item.reps}{pulses}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def plan_markdown(plan: Plan) -> str:
    p = plan.profile
    props = ", ".join(p.props) or "none"
    lines = [
        "# midline programme",
        "",
        f"{p.weeks} week{'s' if p.weeks > 1 else ''}, {p.days} session{'s' if p.days > 1 else ''} a week"
        f" of up to {p.minutes} minutes, level {p.level}, props: {props}"
        + (f", avoiding: {', '.join(p.avoid)}" if p.avoid else ""),
        "",
        f"> **An honest note.** {plan.note}",
        "",
        "Tempo is squeeze-hold-release in seconds: the release is always the slowest part.",
        "Unilateral exercises are done on the left and the right leg.",
    ]
    for note in plan.notes:
        lines += ["", f"*Note: {note}.*"]
    for week in plan.weeks:
        title = f"## Week {week.index}" + (" (deload)" if week.deload else "")
        lines += ["", title, "", f"Progression: {week.change}.", ""]
        header = ["Session", "Exercise", "Sets x reps", "Side", "Tempo", "Position", "Prop", "Min"]
        lines += [_row(header), _row(["---"] * len(header))]
        for session in week.sessions:
            for i, item in enumerate(session.exercises):
                label = f"{session.index} ({session.day}, {session.seconds / 60:.1f} min)" if i == 0 else ""
                lines.append(
                    _row(
                        [
                            label,
                            item.name,
                            sets_reps(item),
                            item.side,
                            item.tempo,
                            item.position,
                            prop_words(item),
                            f"{item.seconds / 60:.1f}",
                        ]
                    )
                )
    matrix = plan.coverage_matrix()
    weeks = matrix["weeks"]
    lines += [
        "",
        "## Coverage",
        "",
        "Exercises per week that train each muscle as a primary muscle, and that use each leg position.",
        "",
        _row(["", *(f"W{w}" for w in weeks)]),
        _row(["---"] * (len(weeks) + 1)),
    ]
    for muscle, counts in matrix["muscles"].items():
        lines.append(_row([muscle, *(str(c) for c in counts)]))
    for position, counts in matrix["positions"].items():
        lines.append(_row([f"position: {position}", *(str(c) for c in counts)]))
    if plan.habits:
        lines += ["", "## Daily habits", ""]
        lines += [f"- **{h.name}**: {h.summary}" for h in plan.habits]
    return "\n".join(lines) + "\n"

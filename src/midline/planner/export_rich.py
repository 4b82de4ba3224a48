"""The plan as Rich renderables for the terminal: a table per week and the coverage matrix."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from midline.planner.plan import Plan, PlannedExercise, Week

SHORT_POSITION = {"pilates-stance": "pilates"}
SHORT_PLACEMENT = {"above-knees": "knees", "above-ankles": "ankles", "on-ankles": "ankles"}


def _dose(item: PlannedExercise) -> str:
    pulses = f"+{item.pulses}p" if item.pulses else ""
    return f"{item.sets}x{item.reps}{pulses}" + (" L+R" if item.unilateral else "")


def _prop(item: PlannedExercise) -> str:
    if item.prop == "none":
        return "-"
    return f"{item.prop}@{SHORT_PLACEMENT.get(item.placement, item.placement)}"


def week_table(week: Week, minutes: int) -> Table:
    """One week: a header row per session (day and minutes), then its exercises."""
    title = f"Week {week.index}" + (" - deload" if week.deload else "") + f": {week.change}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Exercise", ratio=1, min_width=16)
    table.add_column("Dose", no_wrap=True)
    table.add_column("Tempo", no_wrap=True)
    table.add_column("Position", no_wrap=True)
    table.add_column("Prop", no_wrap=True)
    table.add_column("Min", justify="right", no_wrap=True)
    for session in week.sessions:
        table.add_row(
            f"[bold]Session {session.index}, {session.day}[/]",
            "",
            "",
            "",
            "",
            f"[bold]{session.seconds / 60:.1f}/{minutes}[/]",
        )
        for i, item in enumerate(session.exercises):
            table.add_row(
                item.name,
                _dose(item),
                item.tempo,
                SHORT_POSITION.get(item.position, item.position),
                _prop(item),
                f"{item.seconds / 60:.1f}",
                end_section=i == len(session.exercises) - 1,
            )
    return table


def coverage_table(plan: Plan) -> Table:
    matrix = plan.coverage_matrix()
    table = Table(
        title="Coverage: exercises per week (primary muscle / leg position)",
        title_justify="left",
        caption="every adductor, the vastus medialis, the rotators, the abductors and all three"
        " positions, every week",
    )
    table.add_column("")
    for w in matrix["weeks"]:
        table.add_column(f"W{w}", justify="right")
    muscles = list(matrix["muscles"].items())
    for i, (muscle, counts) in enumerate(muscles):
        table.add_row(
            muscle, *(str(c) if c else "[dim]-[/]" for c in counts), end_section=i == len(muscles) - 1
        )
    for position, counts in matrix["positions"].items():
        table.add_row(f"position: {position}", *(str(c) for c in counts))
    return table


def plan_renderables(plan: Plan) -> list[RenderableType]:
    out: list[RenderableType] = [Panel(Text(plan.note), title="An honest note", border_style="yellow")]
    out += [Text(f"note: {n}", style="italic") for n in plan.notes]
    out.append(
        Text(
            "Dose = sets x reps (+p: small pulses at the squeeze), L+R: each leg in turn."
            " Tempo = squeeze-hold-release seconds: the release is always the slowest part."
        )
    )
    out += [week_table(w, plan.profile.minutes) for w in plan.weeks]
    out.append(coverage_table(plan))
    if plan.habits:
        out.append(
            Group(
                Text("Daily habits", style="bold"),
                *(Text(f"- {h.name}: {h.summary}") for h in plan.habits),
            )
        )
    return out

"""The batch on a terminal: a Rich progress bar (videos and frames) and the final summary table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from .summary import Row

_STYLE = {"ok": "green", "skipped": "dim", "failed": "bold red", "not run": "yellow"}


class ProgressDisplay:
    """Implements the batch ``Observer``: use as a context manager around ``run_batch``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = Progress(
            TextColumn("{task.description:>7}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._videos: TaskID | None = None
        self._frames: TaskID | None = None
        self._done: dict[int, int] = {}

    def __enter__(self) -> ProgressDisplay:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def planned(self, videos: int, to_run: int, frames: int) -> None:
        self._videos = self.bar.add_task("videos", total=videos)
        self._frames = self.bar.add_task("frames", total=max(frames, 1))
        if to_run < videos:
            self.console.print(f"[dim]{videos - to_run} of {videos} videos already analysed: skipped[/]")

    def frames(self, index: int, done: int, total: int) -> None:
        self._done[index] = done
        if self._frames is not None:
            self.bar.update(self._frames, completed=sum(self._done.values()))

    def finished(self, row: Row) -> None:
        if self._videos is not None:
            self.bar.advance(self._videos)
        if row.status == "failed":
            where = "" if row.error.startswith(row.path) else f"{row.path}: "
            self.console.print(f"[bold red]failed:[/] {where}{row.error}", highlight=False, soft_wrap=True)


def summary_table(rows: list[Row], max_rows: int = 50) -> Table:
    """The videos that need a look first (failed, then the rest), at most ``max_rows`` of them."""
    table = Table(title="midline batch", show_lines=False)
    for name, justify in (
        ("video", "left"),
        ("status", "left"),
        ("reps", "right"),
        ("ankle gap", "right"),
        ("ecc. ratio", "right"),
        ("symmetry", "right"),
        ("cues / error", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    order = sorted(rows, key=lambda r: (r.status != "failed", r.status != "not run"))
    for row in order[:max_rows]:
        table.add_row(
            row.path.rsplit("/", 1)[-1],
            f"[{_STYLE[row.status]}]{row.status}[/]",
            _num(row.reps),
            _num(row.ankle_gap_at_squeeze),
            _num(row.mean_eccentric_ratio),
            _num(row.symmetry),
            row.error if row.status in ("failed", "not run") else row.cues,
        )
    if len(rows) > max_rows:
        table.caption = f"{len(rows) - max_rows} more in batch.csv"
    return table


def _num(value: float | int | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"

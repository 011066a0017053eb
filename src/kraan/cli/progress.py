"""A Rich progress bar on stderr behind the services' ``progress(done, total)`` callback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kraan.services.progress import Progress as ProgressCallback


@contextmanager
def progress_bar(
    label: str,
    *,
    console: Console | None = None,
    unit: str = "",
    transient: bool = False,
    enabled: bool = True,
) -> Iterator[ProgressCallback | None]:
    """Yields a callback drawing one bar, or None when not wanted (pipes, tests)."""
    if not enabled:
        yield None
        return
    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    columns.append(TimeRemainingColumn())
    with Progress(
        *columns, console=console or Console(stderr=True), transient=transient
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update

"""Progress display for long work (compiling, tuning): a rich status line per stage, on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stage_progress(title: str, enabled: bool | None = None) -> Iterator:
    """Yields a `progress(stage, done, total)` callback that shows the current stage and its count."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:

        def plain(stage: str, done: int, total: int) -> None:
            if done == 0 and total <= 1:
                sys.stderr.write(f"{title}: {stage}...\n")

        yield plain
        return
    with Progress(
        TextColumn(f"[bold]{title}[/bold]"),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=1)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        yield update

"""Progress reporting without a UI library: services call back, adapters draw.

A long-running service takes ``progress: Progress | None`` and calls
``progress(done, total)`` as work completes. The CLI passes a Rich bar
(:mod:`kraan.cli.progress`); tests and the API pass nothing.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(done, total)``: how many of ``total`` steps are finished.
Progress = Callable[[int, int], None]

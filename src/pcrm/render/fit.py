"""Renderables that choose their columns for the width they are drawn at."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType


class FitWidth:
    """Built when printed, for the width Rich offers: a narrow terminal drops the columns
    that matter least instead of squeezing every cell into a few letters."""

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self.build = build

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        yield self.build(options.max_width)

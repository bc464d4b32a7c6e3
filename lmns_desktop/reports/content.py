"""The report content model: a report is a title and a list of blocks.

Templates build blocks from the register and profile results; each renderer (PDF, print/HTML,
Excel) turns the same blocks into its format, so a template is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Note:
    """Small print: methods, sources, suppression notes."""

    text: str


@dataclass(frozen=True)
class KeyFigures:
    """A row of headline numbers, each (label, value text)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table of display values; numbers stay numbers so the Excel renderer can format them."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    title: str = ""
    note: str = ""
    #: Column indexes that hold numbers (right-aligned).
    numeric: tuple[int, ...] = ()
    #: Rows shown in bold (totals).
    emphasis_rows: tuple[int, ...] = ()
    landscape: bool = False


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Note | KeyFigures | Table | PageBreak


@dataclass
class Report:
    """A whole report: what every renderer needs, and nothing about how it looks."""

    kind: Literal["board", "project", "cohort"]
    title: str
    subtitle: str = ""
    author: str = ""
    generated: datetime = field(default_factory=datetime.now)
    blocks: list[Block] = field(default_factory=list)
    #: Printed on every page when disclosure control was switched off.
    watermark: str = ""

    def add(self, *blocks: Block) -> Report:
        self.blocks.extend(blocks)
        return self

    def text(self) -> str:
        """All visible text, in order (for tests and search)."""
        parts = [self.title, self.subtitle]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Note):
                parts.append(block.text)
            elif isinstance(block, KeyFigures):
                parts.extend(f"{label} {value}" for label, value in block.items)
            elif isinstance(block, Table):
                parts.append(block.title)
                parts.append(" ".join(block.columns))
                parts.extend(" ".join(str(v) for v in row) for row in block.rows)
        return "\n".join(p for p in parts if p)

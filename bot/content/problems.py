"""What is wrong with a bank or a pack: one `Problem` per fault, and `BankError`, which carries them all.

Apart from the loader, so what only reports them (the command line) need not import the item schema.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    item_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}" + (f" [{self.item_id}]" if self.item_id else "")
        return f"{where}: {self.message}"


class BankError(ValueError):
    """A bank (or pack) that may not be used: it carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

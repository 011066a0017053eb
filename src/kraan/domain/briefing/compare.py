"""What changed between two briefings (``?compare=``): figure by figure."""

from __future__ import annotations

from dataclasses import dataclass

from kraan.domain.briefing.model import Briefing, Figure, Value


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    before: Value
    after: Value
    unit: str

    @property
    def delta(self) -> float | None:
        if isinstance(self.before, int | float) and isinstance(self.after, int | float):
            return float(self.after) - float(self.before)
        return None

    def as_dict(self) -> dict[str, Value]:
        return {
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "unit": self.unit,
            "delta": self.delta,
        }


def _by_key(doc: Briefing) -> dict[str, Figure]:
    return {f.key: f for f in doc.figures()}


def compare(before: Briefing, after: Briefing) -> list[Change]:
    """Figures whose value differs, in the order of the newer document; new and gone keys too."""
    old, new = _by_key(before), _by_key(after)
    changes = [
        Change(key, old[key].value if key in old else None, fig.value, fig.unit)
        for key, fig in new.items()
        if key not in old or old[key].value != fig.value
    ]
    changes += [
        Change(key, fig.value, None, fig.unit) for key, fig in old.items() if key not in new
    ]
    return changes

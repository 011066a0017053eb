"""The playbook of each LNAZ phase: modules, governance and financing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Module:
    code: str
    name: str
    mandatory: bool


@dataclass(frozen=True, slots=True)
class PhasePlaybook:
    phase: str
    definition: str
    governance: str
    financing: str
    modules: tuple[Module, ...]


def parse_playbook(raw: Mapping[str, Any]) -> dict[str, PhasePlaybook]:
    names: Mapping[str, str] = raw["modules"]
    books: dict[str, PhasePlaybook] = {}
    for phase, spec in raw["phases"].items():
        mandatory = set(spec.get("mandatory", []))
        unknown = (set(spec["available"]) | mandatory) - set(names)
        if unknown:
            raise ValueError(f"playbook phase {phase}: unknown modules {sorted(unknown)}")
        modules = tuple(Module(code, names[code], code in mandatory) for code in spec["available"])
        books[phase] = PhasePlaybook(
            phase=phase,
            definition=spec["definition"],
            governance=spec["governance"],
            financing=spec["financing"],
            modules=modules,
        )
    return books


def load_playbook_text(text: str) -> dict[str, PhasePlaybook]:
    return parse_playbook(json.loads(text))

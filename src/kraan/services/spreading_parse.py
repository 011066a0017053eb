"""Spreading input documents -> domain values, every problem with the field it concerns.

``{"areas": [...], "settings": {...}}`` (docs/spreading.md) becomes a list of
:class:`~kraan.domain.spreading.model.Area` and a
:class:`~kraan.domain.spreading.model.SpreadSettings`; anything wrong raises
:class:`~kraan.domain.spreading.solve.SpreadInputError` listing e.g.
``areas[2].capacity: must be a whole number >= 0``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.solve import SpreadInputError

_AREA_REQUIRED = ("code", "capacity", "covid_occupied", "lat", "lon")
_AREA_INTS = ("capacity", "covid_occupied", "non_covid_occupied", "population")
_AREA_OPTIONAL_INTS = ("scale_up_capacity", "covid_capacity")
_AREA_FLOATS = ("lat", "lon", "acute_inflow", "cost_weight")
_AREA_KNOWN = {
    *_AREA_REQUIRED, *_AREA_INTS, *_AREA_OPTIONAL_INTS, *_AREA_FLOATS,
    "forecast", "forecast_quantiles", "group", "is_last_resort", "name",
}  # fmt: skip


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        return None
    return int(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _series(value: Any, where: str, problems: list[tuple[str, str]]) -> tuple[float, ...]:
    if not isinstance(value, list):
        problems.append((where, "must be a list of numbers"))
        return ()
    numbers = [_number(v) for v in value]
    for n, v in enumerate(numbers):
        if v is None or v < 0:
            problems.append((f"{where}[{n}]", "must be a number >= 0"))
    return tuple(v for v in numbers if v is not None)


def parse_area(raw: Any, where: str, problems: list[tuple[str, str]]) -> Area | None:
    """One area of the input; appends (field, message) for everything wrong with it."""
    if not isinstance(raw, Mapping):
        problems.append((where, "must be an object"))
        return None
    before = len(problems)
    for name in sorted(set(raw) - _AREA_KNOWN):
        problems.append((f"{where}.{name}", "unknown field"))
    for name in _AREA_REQUIRED:
        if name not in raw:
            problems.append((f"{where}.{name}", "is required"))
    values: dict[str, Any] = {}
    code = raw.get("code")
    if "code" in raw and (not isinstance(code, str) or not code.strip()):
        problems.append((f"{where}.code", "must be a non-empty string"))
    values["code"] = code
    for name in (*_AREA_INTS, *_AREA_OPTIONAL_INTS):
        if name in raw and raw[name] is not None:
            whole = _whole(raw[name])
            if whole is None or whole < 0:
                problems.append((f"{where}.{name}", "must be a whole number >= 0"))
            values[name] = whole
    for name in _AREA_FLOATS:
        if name in raw:
            number = _number(raw[name])
            if number is None:
                problems.append((f"{where}.{name}", "must be a number"))
            values[name] = number
    for name, bound in (("lat", 90.0), ("lon", 180.0)):
        if values.get(name) is not None and abs(values[name]) > bound:
            problems.append((f"{where}.{name}", f"must lie between -{bound:g} and {bound:g}"))
    if "forecast" in raw and raw["forecast"] is not None:
        values["forecast"] = _series(raw["forecast"], f"{where}.forecast", problems)
    if "forecast_quantiles" in raw:
        values["forecast_quantiles"] = _quantiles(raw["forecast_quantiles"], where, problems)
    if "group" in raw:
        values["group"] = str(raw["group"])
    if "is_last_resort" in raw:
        if not isinstance(raw["is_last_resort"], bool):
            problems.append((f"{where}.is_last_resort", "must be true or false"))
        values["is_last_resort"] = raw["is_last_resort"] is True
    if len(problems) > before:
        return None
    return Area(**{k: v for k, v in values.items() if v is not None})


def _quantiles(raw: Any, where: str, problems: list[tuple[str, str]]) -> dict[float, tuple]:  # type: ignore[type-arg]
    if not isinstance(raw, Mapping):
        problems.append((f"{where}.forecast_quantiles", 'must be an object {"0.9": [...]}'))
        return {}
    out: dict[float, tuple] = {}  # type: ignore[type-arg]
    for key, series in raw.items():
        try:
            q = float(key)
        except ValueError:
            problems.append((f"{where}.forecast_quantiles.{key}", "key must be a quantile"))
            continue
        out[q] = _series(series, f"{where}.forecast_quantiles.{key}", problems)
    return out


def parse_settings(raw: Any, problems: list[tuple[str, str]]) -> SpreadSettings:
    """SpreadSettings from a JSON object; unknown or mistyped keys are problems."""
    if raw is None:
        return SpreadSettings()
    if not isinstance(raw, Mapping):
        problems.append(("settings", "must be an object"))
        return SpreadSettings()
    known = {f.name: f for f in fields(SpreadSettings)}
    hints = typing.get_type_hints(SpreadSettings)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append((f"settings.{key}", "unknown setting"))
            continue
        hint = str(hints[key])
        ok = True
        if value is None:
            ok = "None" in hint
        elif "bool" in hint and "int" not in hint:
            ok = isinstance(value, bool)
        elif hint.startswith("tuple"):
            ok = isinstance(value, list) and all(_number(v) is not None for v in value)
            value = tuple(float(v) for v in value) if ok else value
        elif hint.startswith("<class 'int'>") or hint == "int | None":
            ok = _whole(value) is not None
            value = _whole(value) if ok else value
        elif "float" in hint:
            ok = _number(value) is not None
        elif "Mapping" in hint:
            ok = isinstance(value, Mapping)
        else:
            ok = isinstance(value, str)
        if not ok:
            problems.append((f"settings.{key}", f"has the wrong type ({type(value).__name__})"))
            continue
        values[key] = value
    try:
        settings = SpreadSettings(**values)
    except ValueError as error:  # an enum value that does not exist
        problems.append(("settings", str(error)))
        return SpreadSettings()
    problems.extend((f"settings.{name}", message) for name, message in settings.problems())
    return settings


def parse_document(document: Any) -> tuple[list[Area], SpreadSettings]:
    """Areas and settings of an input document; raises SpreadInputError listing fields."""
    problems: list[tuple[str, str]] = []
    if not isinstance(document, Mapping):
        raise SpreadInputError([("(document)", "must be a JSON object with 'areas'")])
    for key in sorted(set(document) - {"areas", "settings", "as_of", "forecast"}):
        problems.append((key, "unknown field"))
    raw_areas = document.get("areas")
    areas: list[Area] = []
    if not isinstance(raw_areas, list) or not raw_areas:
        problems.append(("areas", "must be a non-empty list"))
    else:
        for n, raw in enumerate(raw_areas):
            area = parse_area(raw, f"areas[{n}]", problems)
            if area is not None:
                areas.append(area)
    settings = parse_settings(document.get("settings"), problems)
    if problems:
        raise SpreadInputError(problems)
    return areas, settings

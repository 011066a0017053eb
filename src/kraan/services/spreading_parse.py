"""Spreading input documents -> domain values, every problem with the field it concerns.

``{"areas": [...], "settings": {...}}`` (docs/spreading.md) is validated by the pydantic
models below (:class:`SnapshotDocument`, :class:`AreaDocument`, and a settings model
derived from the fields of :class:`~kraan.domain.spreading.model.SpreadSettings`), then
becomes a list of :class:`~kraan.domain.spreading.model.Area` and a ``SpreadSettings``.
Anything wrong raises :class:`~kraan.domain.spreading.solve.SpreadInputError` listing
e.g. ``areas[2].capacity: must be a whole number >= 0``.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, fields
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.solve import SpreadInputError


def _whole(value: Any) -> int:
    """A whole number (3 or 3.0), not a bool or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise ValueError("must be a whole number")
    return int(value)


def _count(value: Any) -> int:
    try:
        whole = _whole(value)
    except ValueError:
        whole = -1
    if whole < 0:
        raise ValueError("must be a whole number >= 0")
    return whole


def _number(value: Any) -> float:
    """A finite number, not a bool or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("must be a number")
    return float(value)


def _amount(value: Any) -> float:
    try:
        number = _number(value)
    except ValueError:
        number = -1.0
    if number < 0:
        raise ValueError("must be a number >= 0")
    return number


def _series(value: Any) -> Any:
    if not isinstance(value, list):
        raise ValueError("must be a list of numbers")
    return value


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


Whole = Annotated[int, BeforeValidator(_whole)]
Count = Annotated[int, BeforeValidator(_count)]
Number = Annotated[float, BeforeValidator(_number)]
Amount = Annotated[float, BeforeValidator(_amount)]
Series = Annotated[list[Amount], BeforeValidator(_series)]
StrictBool = Annotated[bool, BeforeValidator(_strict_bool)]
Text = Annotated[str, BeforeValidator(_text)]


class AreaDocument(BaseModel):
    """One area of a snapshot document (docs/spreading.md, "Input")."""

    model_config = ConfigDict(extra="forbid")

    code: str
    capacity: Count = Field(description="Staffed beds of the care level.")
    covid_occupied: Count = Field(description="COVID patients, ontlabeld included.")
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)
    non_covid_occupied: Count | None = None
    population: Count | None = None
    scale_up_capacity: Count | None = None
    covid_capacity: Count | None = None
    acute_inflow: Number | None = None
    cost_weight: Number | None = None
    forecast: Series | None = Field(None, description="Daily COVID occupancy, [0] = tomorrow.")
    forecast_quantiles: dict[str, Series] | None = None
    group: Annotated[str, BeforeValidator(str)] | None = None
    is_last_resort: StrictBool | None = None
    name: Any = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string")
        return value

    @field_validator("forecast_quantiles", mode="before")
    @classmethod
    def _quantiles(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, Mapping):
            raise ValueError('must be an object {"0.9": [...]}')
        for key in value or {}:
            try:
                float(key)
            except ValueError:
                raise ValueError(f"key '{key}' must be a quantile") from None
        return value

    def to_area(self) -> Area:
        values = self.model_dump(exclude_none=True, exclude={"name", "forecast_quantiles"})
        if self.forecast is not None:
            values["forecast"] = tuple(self.forecast)
        if self.forecast_quantiles is not None:
            values["forecast_quantiles"] = {
                float(q): tuple(series) for q, series in self.forecast_quantiles.items()
            }
        return Area(**values)


def _settings_type(hint: Any) -> Any:
    """The validating type of one SpreadSettings field, from its type (not its spelling)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        parts = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _settings_type(parts[0]) if len(parts) == 1 else Any
        return inner | None if type(None) in typing.get_args(hint) else inner
    if hint is bool:
        return StrictBool
    if hint is int:
        return Whole
    if hint is float:
        return Number
    if origin is not None and issubclass(origin, Mapping):
        return dict[str, Any]
    if isinstance(hint, type) and issubclass(hint, Enum | str):
        return Text
    return Any


@cache
def settings_model() -> type[BaseModel]:
    """A pydantic model with one optional field per SpreadSettings field (no others)."""
    hints = typing.get_type_hints(SpreadSettings)
    specs: dict[str, Any] = {
        f.name: (_settings_type(hints[f.name]), None)
        for f in fields(SpreadSettings)
        if f.default is not MISSING or f.default_factory is not MISSING
    }
    model: type[BaseModel] = create_model(
        "SpreadSettingsDocument", __config__=ConfigDict(extra="forbid"), **specs
    )
    return model


class SnapshotDocument(BaseModel):
    """A snapshot document: the areas, the settings, and (from the store) its moment."""

    model_config = ConfigDict(extra="forbid")

    areas: list[AreaDocument] = Field(min_length=1)
    settings: dict[str, Any] | None = None
    as_of: Any = None
    forecast: Any = None  # how the exported snapshot filled its areas' forecasts (info only)


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "too_short": "must be a non-empty list",
    "list_type": "must be a non-empty list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def _where(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(document)"


def problems_of(error: ValidationError, *, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(field, message) per problem, in the words docs/spreading.md uses."""
    found = []
    for item in error.errors():
        kind = item["type"]
        if kind == "value_error":
            message = str(item["ctx"]["error"])
        elif kind in ("greater_than_equal", "less_than_equal"):
            message = "must lie between -{0:g} and {0:g}".format(
                item["ctx"].get("le", -item["ctx"].get("ge", 0))
            )
        else:
            message = _MESSAGES.get(kind, item["msg"])
        loc = tuple(item["loc"])
        if prefix == ("settings",) and kind == "extra_forbidden":
            message = "unknown setting"
        elif prefix == ("settings",):
            message = f"has the wrong type ({type(item['input']).__name__})"
            loc = loc[:1]
        found.append((_where(prefix + loc), message))
    return found


def parse_settings(raw: Any, problems: list[tuple[str, str]]) -> SpreadSettings:
    """SpreadSettings from a JSON object; unknown or mistyped keys are problems."""
    if raw is None:
        return SpreadSettings()
    if not isinstance(raw, Mapping):
        problems.append(("settings", "must be an object"))
        return SpreadSettings()
    model, values = settings_model(), dict(raw)
    try:
        checked = model.model_validate(values)
    except ValidationError as error:  # report them, and check the rest on their own
        problems.extend(problems_of(error, prefix=("settings",)))
        bad = {item["loc"][0] for item in error.errors()}
        checked = model.model_validate({k: v for k, v in values.items() if k not in bad})
    try:
        settings = SpreadSettings(**checked.model_dump(exclude_unset=True))
    except ValueError as error:  # an enum value that does not exist
        problems.append(("settings", str(error)))
        return SpreadSettings()
    problems.extend((f"settings.{name}", message) for name, message in settings.problems())
    return settings


def parse_document(document: Any) -> tuple[list[Area], SpreadSettings]:
    """Areas and settings of an input document; raises SpreadInputError listing fields."""
    if not isinstance(document, Mapping):
        raise SpreadInputError([("(document)", "must be a JSON object with 'areas'")])
    problems: list[tuple[str, str]] = []
    areas: list[Area] = []
    try:
        snapshot = SnapshotDocument.model_validate(dict(document))
        areas = [area.to_area() for area in snapshot.areas]
    except ValidationError as error:
        problems.extend(problems_of(error))
    settings = parse_settings(document.get("settings"), problems)
    if problems:
        raise SpreadInputError(sorted(set(problems), key=problems.index))
    return areas, settings

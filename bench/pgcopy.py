"""PostgreSQL binary COPY straight from numpy: millions of rows without a Python loop per row.

Every tuple of the binary COPY format is a field count followed by, per field,
a 4-byte length and the big-endian value. With fixed-width values that is one
packed numpy record per row, so a chunk of rows becomes bytes with
``array.tobytes()``. NULLs and empty strings are a length field alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
PG_EPOCH = datetime(2000, 1, 1)


def pg_micros(moment: datetime) -> int:
    """A naive timestamp as PostgreSQL's binary form: microseconds since 2000-01-01."""
    delta = moment - PG_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class Field:
    """One column: ``fmt`` a numpy type (``>i8``, ``>f8``, ``u1``, ``S5``) or None for
    a column that is always NULL (``empty=False``) or always '' (``empty=True``)."""

    name: str
    fmt: str | None
    empty: bool = False


class BinaryRows:
    """Packs columns given as numpy arrays (or constants) into COPY tuples."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = list(fields)
        spec: list[tuple[str, str]] = [("count", ">i2")]
        for field in self.fields:
            spec.append((f"{field.name}__len", ">i4"))
            if field.fmt is not None:
                spec.append((field.name, field.fmt))
        self.dtype = np.dtype(spec)  # packed: no alignment padding between fields

    @property
    def columns(self) -> list[str]:
        return [field.name for field in self.fields]

    def pack(self, size: int, values: Mapping[str, object]) -> bytes:
        rows = np.empty(size, dtype=self.dtype)
        rows["count"] = len(self.fields)
        for field in self.fields:
            if field.fmt is None:
                rows[f"{field.name}__len"] = 0 if field.empty else -1
                continue
            rows[f"{field.name}__len"] = np.dtype(field.fmt).itemsize
            rows[field.name] = values[field.name]
        return rows.tobytes()


def copy_statement(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'COPY "{table}" ({names}) FROM STDIN (FORMAT BINARY)'

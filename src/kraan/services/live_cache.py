"""A small thread-safe LRU mapping for the forecast caches (raw model runs, daily totals).

Raw forecasts are kept by content key (:func:`kraan.domain.forecast.target.raw_key`): a
forecast calibrates on the raw forecasts of the 90 origins before it, so the forecast of
the next day, or of the same day after a later report, reuses 90 of its 91 model runs.
The key holds the data the run read, so a correction is never missed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, MutableMapping
from typing import Any


class LruMap(MutableMapping[Hashable, Any]):
    """A thread-safe LRU mapping (``get``, ``in``, item assignment), bounded by ``maxsize``."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data[key]
            self._data.move_to_end(key)
            return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __delitem__(self, key: Hashable) -> None:
        with self._lock:
            del self._data[key]

    def __iter__(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

"""The chart tests read English labels and formats; Dutch is covered by test_i18n.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kraan.web.i18n import language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield

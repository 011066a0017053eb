"""The solver prints nothing: no HiGHS banner on stdout or stderr (issue 12)."""

from __future__ import annotations

import pytest

from kraan.domain.spreading.solve import _quiet_highs


def test_the_highs_banner_is_off(capfd: pytest.CaptureFixture[str]) -> None:
    highs = _quiet_highs()
    highs.run()
    out, err = capfd.readouterr()
    assert "HiGHS" not in out and "HiGHS" not in err

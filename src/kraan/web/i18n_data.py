"""Text that comes from data files or the domain, in the page's language.

* Fixed sentences of the versioned data files (``kraan/data/playbook.json``: module
  names, phase definitions, governance, financing; ``phase_criteria.json``: indicator
  labels) are msgids; :func:`extract_data` hands them to ``pybabel extract``
  (``babel.cfg``), so the catalog and its test cover them.
* Sentences the domain builds with numbers ("all 11 regions are under pressure") are
  matched against the patterns below and translated with their numbers filled in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kraan.web.i18n import N_, catalog, current_language

#: The domain's sentences with numbers (domain/phases.py, services/live_forecast.py,
#: services/outlook.py); a placeholder matches any text.
PATTERNS = (
    N_("all %(total)s regions are under pressure"),
    N_("%(n)s of %(total)s regions are under pressure"),
    N_("one region is under pressure"),
    N_("%(n)s of %(total)s regions cannot guarantee (semi-)acute care"),
    N_("%(n)s regions cannot guarantee critical planned care, %(m)s of them not (semi-)acute care either"),  # noqa: E501
    N_("%(n)s locations report continuity at risk; no region under pressure"),
    N_("no region under pressure and no location reports continuity risk"),
    N_("no region has a known status"),
    N_("%(why)s (%(n)s regions unknown)"),
    N_("no reports: status unknown"),
    N_("no indicator crossed a threshold"),
    N_("%(label)s is %(value)s, at or above %(threshold)s (%(status)s)"),
    N_("held at '%(status)s' by hysteresis: not yet %(margin)s below its threshold"),
    N_("all staffed %(level)s beds"),
    N_("staffed %(level)s beds minus non-COVID patients"),
    N_("LNAZ scale-up plan: %(n)s IC beds"),
    N_("phase 2B plan: %(n)s clinical COVID beds"),
    N_("staffed IC beds minus non-COVID patients"),
    N_("expected (median)"),
    N_("worse case (90 %% upper bound)"),
    N_("Kraan IC forecast from %(day)s"),
    N_("current occupancy held (%(why)s)"),
    N_("age %(low)s-%(high)s"),
    # a vaccination cohort: "<group label>, <ages>" (domain/care_at_home/vaccination_order.py)
    N_("%(group)s, %(ages)s"),
    N_(
        "Only COVID occupancy (IC and ward) follows the forecast; non-COVID occupancy, staffed "
        "beds, staff absence and continuity assessments are held at their as-of values."
    ),
)
#: Words inside those sentences.
WORDS = (N_("ward"), N_("IC"))


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for msgid in PATTERNS:
        text = msgid.replace("%%", "%")
        parts = re.split(r"%\((\w+)\)s", text)
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        out.append((re.compile(f"^{regex}$"), msgid))
    return tuple(out)


def translate(text: str | None) -> str:
    """The translation of a data or domain sentence, else the sentence itself."""
    if not text:
        return text or ""
    language = catalog(current_language())
    direct = language.gettext(text)
    if direct != text or current_language() == "en":
        return direct
    for regex, msgid in _compiled():
        match = regex.match(text)
        if match:
            values = {k: translate(v) for k, v in match.groupdict().items()}
            return language.gettext(msgid) % values
    return text


def _strings(value: Any, keys: frozenset[str]) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield item
            elif key == "modules" and isinstance(item, dict):  # names, or specs with a label
                for value in item.values():
                    if isinstance(value, str):
                        yield value
                    else:
                        yield from _strings(value, keys)
            else:
                yield from _strings(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, keys)


def extract_data(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, str]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the data files: the values of the keys in ``options["keys"]``
    (comma-separated) and the names of ``modules``."""
    keys = frozenset(k.strip() for k in options.get("keys", "").split(","))
    document = json.loads(fileobj.read().decode("utf-8"))
    for text in dict.fromkeys(_strings(document, keys)):
        yield 1, "gettext", text, []

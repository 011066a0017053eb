"""A refused form action in the page's language.

The domain, the services and the store refuse in English (the JSON API returns those words
and status codes unchanged: they are a contract). A page says the same in its own language:

* a domain sentence is matched against the msgids of :mod:`kraan.web.refusal_words` (the
  English sentence with its variable parts as ``%(name)s``) and said with the catalog's
  translation, the parts filled in (codes among them put in words); a sentence that is
  not known is shown as it came, in English, rather than not at all;
* a field is named with its form label (``field_word``), never its code, and the rule's
  code is not shown;
* pydantic's field checks are worded by their error type and its context
  (``missing``, ``greater_than_equal`` with ``ge``, ...), not by pydantic's English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from kraan.domain.requests.rules import RuleViolation
from kraan.web.i18n import N_, catalog, current_language, fmt_date, fmt_datetime
from kraan.web.i18n import gettext as _
from kraan.web.labels import chain_label, role_label, transfer_state_label
from kraan.web.refusal_words import REWORDED, SENTENCES
from kraan.web.words import field_word, word


def _codes(text: str) -> str:
    return ", ".join(word(part.strip()) for part in text.split(","))


def _states(text: str) -> str:
    return ", ".join(transfer_state_label(part.strip()) for part in text.split(","))


def _moment(text: str) -> str:
    """A stored (UTC) '2020-12-21 09:00' in Europe/Amsterdam with its zone, as every time."""
    try:
        return fmt_datetime(datetime.strptime(text, "%Y-%m-%d %H:%M"))
    except ValueError:
        return text


def _day(text: str) -> str:
    try:
        return fmt_date(text) if len(text) == 10 else text
    except ValueError:
        return text


#: The steps of a help request as the page's buttons name them (requests_pages.STEP_LABELS).
STEPS: dict[str, str] = {
    "sign": N_("sign (chair)"),
    "intake": N_("intake (LOT-C)"),
    "fact_finding": N_("fact-finding report"),
    "vote": N_("record decision"),
    "reconfirm": N_("re-confirm"),
}


def _step(code: str) -> str:
    return _(STEPS[code]) if code in STEPS else word(code)


#: How a placeholder's value is worded, by the placeholder's name; others stay as they are.
CONVERT: dict[str, Callable[[str], str]] = {
    "state": word,
    "answer": word,
    "implied": word,
    "kind": word,
    "party": word,
    "step": _step,
    "parties": _codes,
    "codes": _codes,
    "role": role_label,
    "tstate": transfer_state_label,
    "wanted": transfer_state_label,
    "tstates": _states,
    "chain": chain_label,
    "at": _moment,
    "start": _day,
    "end": _day,
    "day": _day,
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(text: str) -> re.Pattern[str]:
    """The English sentence with its ``%(name)s`` parts as named groups; only a sentence
    (``what``) may hold a '; ', so one problem never swallows the next."""
    parts = _PLACEHOLDER.split(text)
    regex = "".join(
        (f"(?P<{part}>.+?)" if part == "what" else f"(?P<{part}>[^;]+?)")
        if i % 2
        else re.escape(part.replace("%%", "%"))
        for i, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.DOTALL)


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(_pattern(msgid), msgid) for msgid in SENTENCES] + [
        (_pattern(text), msgid) for text, msgid in REWORDED.items()
    ]


def _one(text: str) -> str | None:
    for pattern, msgid in _patterns():
        found = pattern.match(text)
        if found is None:
            continue
        values = {
            name: say(value) if name == "what" else CONVERT.get(name, str)(value)
            for name, value in found.groupdict().items()
        }
        return catalog(current_language()).gettext(msgid) % values
    return None


def say(text: object) -> str:
    """A refusal sentence (or several joined by '; ') in the page's language; an unknown
    sentence stays in English."""
    text = str(text)
    whole = _one(text)
    if whole is not None:
        return whole
    pieces = text.split("; ")
    for cut in range(len(pieces) - 1, 0, -1):
        head = _one("; ".join(pieces[:cut]))
        if head is not None:
            return head + "; " + say("; ".join(pieces[cut:]))
    return text


#: Form labels of the fields that refusals name, beyond the audit fields of ``words``.
FORM_FIELDS: dict[str, str] = {
    "members": N_("members"),
    "seed": N_("seed"),
    "days": N_("days"),
    "quadrant": N_("scenario"),
    "modules": N_("modules"),
    "key": N_("module"),
    "replay": N_("replayed wave"),
    "input": N_("input file"),
    "decision": N_("decision"),
    "classification": N_("classification"),
    "umbrella": N_("umbrella body"),
    "reported_at": N_("reported at"),
    "staff_absence_pct": N_("staff absence %%"),
    "occupied": N_("occupied beds"),
    "covid": N_("COVID patients"),
    "provided": N_("provided"),
    "at": N_("time"),
    "measured_at": N_("measured at"),
    "practice_code": N_("practice"),
    "team_code": N_("team"),
    "referrer": N_("referrer"),
    "pseudonym": N_("pseudonym"),
    "age": N_("age"),
    "risk_groups": N_("risk groups"),
    "reporter_code": N_("reporter"),
    "capacity": N_("capacity"),
    "week": N_("week"),
    "vaccine": N_("vaccine"),
    "doses": N_("doses"),
    "deliveries": N_("deliveries"),
    "complement_of": N_("complement of"),
}

_LINE = re.compile(r"line (\d+)\Z")


def _field_part(part: str) -> str:
    line = _LINE.match(part)
    if line:
        return _("line %(n)s", n=line.group(1))
    if part.isdigit():
        return part
    return _(FORM_FIELDS[part]) if part in FORM_FIELDS else field_word(part)


def field_label(field: str) -> str:
    """'location_code' -> 'locatie'; 'provided.nurse' -> 'geleverd: verpleegkundige'; the
    whole form ('body', 'step') has no label."""
    if field in ("", "body", "step", "values"):
        return ""
    parts = [p for p in field.replace("[", ".").replace("]", "").split(".") if p]
    return ": ".join(_field_part(p) for p in parts)


def home_problem(error: Exception) -> str:
    """A HomeError (status, message, field): its fields and their sentences paired when a
    measurement had several problems ('spo2,heart_rate' and 'a; b')."""
    field = str(getattr(error, "field", None) or "")
    fields, messages = field.split(","), str(error).split("; ")
    if len(fields) > 1 and len(fields) == len(messages):
        return "; ".join(problem(f, m) for f, m in zip(fields, messages, strict=True))
    return problem(field if len(fields) == 1 else "", str(error))


def problem(field: str, message: str) -> str:
    """'<field label>: <sentence>' in the page's language (no label for the whole form)."""
    label = field_label(field)
    text = say(message)
    return f"{label}: {text}" if label else text


# ---- pydantic's field checks ---------------------------------------------------------

#: Wording of pydantic's error types that the pages' forms can produce (ctx values filled in).
PYDANTIC: dict[str, str] = {
    "missing": N_("fill this in"),
    "string_too_short": N_("write at least %(min_length)s characters"),
    "string_too_long": N_("write at most %(max_length)s characters"),
    "too_short": N_("give at least %(min_length)s"),
    "too_long": N_("give at most %(max_length)s"),
    "greater_than_equal": N_("give a number of at least %(ge)s"),
    "greater_than": N_("give a number above %(gt)s"),
    "less_than_equal": N_("give a number of at most %(le)s"),
    "less_than": N_("give a number below %(lt)s"),
    "int_parsing": N_("give a whole number"),
    "int_type": N_("give a whole number"),
    "int_from_float": N_("give a whole number"),
    "float_parsing": N_("give a number"),
    "float_type": N_("give a number"),
    "finite_number": N_("give a number"),
    "bool_parsing": N_("choose yes or no"),
    "string_type": N_("fill in text"),
    "enum": N_("choose one of: %(expected)s"),
    "literal_error": N_("choose one of: %(expected)s"),
    "date_parsing": N_("give a date (dd-mm-yyyy)"),
    "date_from_datetime_parsing": N_("give a date (dd-mm-yyyy)"),
    "date_type": N_("give a date (dd-mm-yyyy)"),
    "datetime_parsing": N_("give a date and time"),
    "datetime_from_date_parsing": N_("give a date and time"),
    "datetime_type": N_("give a date and time"),
    "dict_type": N_("fill in the numbers"),
    "list_type": N_("choose at least one"),
    "extra_forbidden": N_("this field is not part of the form"),
    "string_pattern_mismatch": N_("check how it is written"),
}


def _expected(value: object) -> str:
    """pydantic's "'a', 'b' or 'c'" as words."""
    codes = re.findall(r"'([^']*)'", str(value))
    return ", ".join(word(c) for c in codes) if codes else str(value)


def pydantic_problems(error: ValidationError) -> list[tuple[str, str]]:
    """(field label, what to do) per problem, in the page's language."""
    out = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        kind, ctx = item["type"], dict(item.get("ctx") or {})
        if kind == "value_error" and "error" in ctx:
            text = say(str(ctx["error"]))
        elif kind in PYDANTIC:
            if "expected" in ctx:
                ctx["expected"] = _expected(ctx["expected"])
            try:
                text = _(PYDANTIC[kind], **{k: str(v) for k, v in ctx.items()})
            except (KeyError, ValueError):
                text = str(item["msg"])
        else:
            text = str(item["msg"])
        out.append((field_label(loc), text))
    return out


def _joined(problems: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{label}: {text}" if label else text for label, text in problems)


def refusal_text(error: Exception) -> tuple[int, str]:
    """A refused form action: the API's status code for the same refusal, and its words in
    the page's language."""
    if isinstance(error, ValidationError):
        return 422, _joined(pydantic_problems(error))
    if isinstance(error, RuleViolation):
        return 422, "; ".join(problem(f, m) for f, m in error.problems)
    return int(getattr(error, "status", 404)), say(error)


def rule_of(error: Exception) -> str:
    """The code of the rule a refusal broke ('' if none): kept out of the text, for tests and
    support (an attribute of the message)."""
    return str(getattr(error, "rule", "") or "")


def simulation_problems(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """The simulation form's problems ({field, message}) in the page's language."""
    return [
        {"field": field_label(p["field"]) if p["field"] else "", "message": say(p["message"])}
        for p in problems
    ]


def to_dict(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"field": label, "message": text} for label, text in pairs]

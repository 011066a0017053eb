"""Refusals in the page's language: the domain's real English sentences, said in Dutch."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from pydantic import BaseModel, Field, ValidationError

from kraan.domain.requests import chain_reports, elv, ladder, signals, stock
from kraan.domain.requests.rules import Refused, RuleViolation, StepConflict
from kraan.domain.spreading.workflow import (
    InvalidTransition,
    StepRefused,
    TransferState,
    plan_step,
)
from kraan.domain.validation import ValidationRules
from kraan.web.i18n import catalog, language
from kraan.web.refusal_words import REWORDED, SENTENCES
from kraan.web.refusals import (
    field_label,
    home_problem,
    pydantic_problems,
    refusal_text,
    rule_of,
    say,
)

AT = datetime(2020, 12, 21, 9, 0)
RULES = ValidationRules(max_beds=3000, max_admissions=500, correction_window=timedelta(days=7))
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def _sample(msgid: str) -> str:
    """The msgid as the domain would fill it in (values that are no code of any table)."""
    names = PLACEHOLDER.findall(msgid)
    return msgid.replace("%%", "%") % {n: f"V{i}x" for i, n in enumerate(names)}


@pytest.mark.parametrize("msgid", SENTENCES)
def test_every_sentence_is_found_and_has_dutch_with_the_same_placeholders(msgid: str) -> None:
    dutch = catalog("nl").gettext(msgid)
    assert dutch != msgid, "translate it in messages.po (make i18n)"
    assert set(PLACEHOLDER.findall(dutch)) <= set(PLACEHOLDER.findall(msgid))
    text = _sample(msgid)
    with language("en"):
        assert say(text) == text
    with language("nl"):
        assert say(text) != text


@pytest.mark.parametrize("text", sorted(REWORDED))
def test_sentences_with_codes_are_reworded_in_both_languages(text: str) -> None:
    for lang in ("nl", "en"):
        with language(lang):
            assert not SNAKE.search(say(text)) and say(text) != text


def _refusal(work: object) -> Exception:
    try:
        work()  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - whatever the domain raises
        return error
    raise AssertionError("expected a refusal")


def _real_errors() -> list[Exception]:
    order = elv.new_order("AZE", 4, at=AT, scale_up=timedelta(hours=72))
    filed = ladder.create(
        {"location_code": "H1", "region_code": "R1", "workers": {"ic_nurse": 2},
         "period_start": "2020-12-22", "period_end": "2020-12-30", "shifts": "nights",
         "reason": "absence 18 % on the IC", "measures": "planned care stopped"},
        at=AT, actor="rep",
    )  # fmt: skip
    escalate = ladder.Event(ladder.Step.ESCALATE, AT, "coord", {})
    answer = ladder.Event(
        ladder.Step.ANSWER,
        AT,
        "coord",
        {"answer": "filled", "asked": ["roaz"], "provided": {"ic_nurse": 9}},
    )
    signal = signals.file({"region_code": "R1", "sector": "grz", "blocked": "GRZ beds full",
                           "since": "2020-12-20"}, at=AT, actor="rep")  # fmt: skip
    return [
        _refusal(lambda: ladder.create({}, at=AT, actor="rep")),
        _refusal(lambda: ladder.apply(filed, escalate, stale_after=timedelta(hours=48))),
        _refusal(lambda: ladder.apply(filed, answer, stale_after=timedelta(hours=48))),
        _refusal(lambda: elv.new_order("AZE", 0, at=AT, scale_up=timedelta(hours=72))),
        _refusal(
            lambda: elv.check_report(order, [elv.BedsUp("H1", 3, AT)], elv.BedsUp("H1", 6, AT))
        ),  # fmt: skip
        _refusal(lambda: stock.check_assessment(4, "granted", 2, "")),
        _refusal(lambda: stock.check_assessment(4, "maybe", 2, "")),
        _refusal(lambda: stock.check_medicine({"stock": -1})),
        _refusal(lambda: signals.file({}, at=AT, actor="rep")),
        _refusal(
            lambda: signals.apply(
                signal,
                signals.SignalEvent(
                    signals.SignalStep.CLASSIFY, AT, "umbrella", {"classification": "general"}
                ),
            )
        ),
        _refusal(lambda: chain_reports.check_report({}, now=AT, rules=RULES, is_correction=False)),
        _refusal(
            lambda: chain_reports.check_report(
                {
                    "kind": "gp_post",
                    "reported_at": "2019-01-01T00:00",
                    "beds": 3,
                    "status": "x",
                    "staff_absence_pct": 130,
                },
                now=AT,
                rules=RULES,
                is_correction=True,
            )
        ),
        _refusal(
            lambda: plan_step(
                TransferState.ARRIVED,
                TransferState.OFFERED,
                note="",
                offer_id=None,
                current_offer=None,
            )
        ),  # fmt: skip
        _refusal(
            lambda: plan_step(
                TransferState.ACCEPTED,
                TransferState.CANCELLED,
                note="",
                offer_id=None,
                current_offer=None,
            )
        ),  # fmt: skip
        Refused("alice", "reporter", "take step 'escalate' on help request 3"),
        StepConflict("the request is answered; nothing more can happen to it"),
    ]


def test_the_domains_real_refusals_are_said_in_dutch_and_kept_in_english() -> None:
    errors = _real_errors()
    assert {type(e) for e in errors} >= {RuleViolation, StepConflict, Refused,
                                         InvalidTransition, StepRefused}  # fmt: skip
    for error in errors:
        problems = error.problems if isinstance(error, RuleViolation) else [("", str(error))]
        for _field, message in problems:
            with language("nl"):
                assert say(message) != message, f"no Dutch for {message!r}"
        for lang in ("nl", "en"):  # codes in words, fields by their labels, no rule's code
            with language(lang):
                _status, text = refusal_text(error)
            assert not SNAKE.search(text), f"a code on the {lang} page: {text!r}"


def test_a_rule_violation_names_its_fields_and_hides_the_rule() -> None:
    error = RuleViolation("request_fields", [("provided.ic_nurse", "more than the 3 asked for"),
                                             ("location_code", "required")])  # fmt: skip
    with language("nl"):
        status, text = refusal_text(error)
    assert status == 422 and "request_fields" not in text
    assert text == "geleverd: IC-verpleegkundige: meer dan de 3 gevraagde; locatie: vul dit in"
    with language("en"):
        assert refusal_text(error)[1] == (
            "provided: IC nurse: more than the 3 asked for; location: required"
        )
    assert rule_of(error) == "request_fields" and rule_of(StepConflict("x")) == ""


def test_an_unknown_sentence_stays_english_and_a_known_head_is_still_said() -> None:
    with language("nl"):
        assert say("the moon is made of cheese") == "the moon is made of cheese"
        assert say("required; the moon is made of cheese") == (
            "vul dit in; the moon is made of cheese"
        )
        assert say("give the reason for withdrawing; a step cannot lie before the previous one")


def test_a_sentence_that_starts_with_a_value_does_not_swallow_the_one_before() -> None:
    with language("nl"):
        assert say("required; defence has already decided; reload") == (
            "vul dit in; Defensie heeft al besloten; laad de pagina opnieuw."
        )


def test_codes_inside_a_sentence_are_put_in_words() -> None:
    text = "cannot go from offered to arrived; allowed: accepted, cancelled, requested"
    with language("nl"):
        dutch = say(text)
    assert "offered" not in dutch and "aangeboden" in dutch and "geannuleerd" in dutch
    with language("nl"):
        assert "'kan niet invullen'" in say("the numbers provided mean 'cannot_fill', not 'filled'")


def test_a_home_error_pairs_fields_and_sentences() -> None:
    class HomeLike(Exception):
        field = "spo2,temperature"

    error = HomeLike("10.0 % is outside 50-100 %; 50.0 °C is outside 30-43 °C")
    with language("nl"):
        text = home_problem(error)
    assert text.startswith("SpO2: 10.0 % ligt buiten 50-100 %") and "temperatuur: " in text
    assert "is outside" not in text


class _Form(BaseModel):
    members: int = Field(ge=1, le=400)
    reason: str = Field(min_length=5)
    decision: str
    answer: str = Field(pattern="^(filled|partly)$")


def test_pydantic_field_checks_are_worded_by_type_with_the_form_label() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"members": 0, "reason": "x", "answer": "filled"})
    with language("nl"):
        problems = dict(pydantic_problems(caught.value))
    assert problems["leden"] == "vul een getal van ten minste 1 in"
    assert problems["reden"] == "schrijf ten minste 5 tekens"
    assert problems["besluit"] == "vul dit in"
    with language("en"):
        problems = dict(pydantic_problems(caught.value))
    assert problems["members"] == "give a number of at least 1"
    assert field_label("line 3.week") == "line 3: week"


def test_times_and_days_in_a_sentence_are_shown_as_everywhere_else() -> None:
    with language("nl"):
        answered = say("rung 1 was already answered by coord at 2020-12-21 08:00; reload")
        deployed = say("MIL-1 is already deployed from 2030-01-02 to 2030-01-09; medical staff "
                       "can be deployed only once")  # fmt: skip
    assert "door coord op 21-12-2020 09:00 CET" in answered
    assert "van wo 2 jan 2030 tot wo 9 jan 2030" in deployed

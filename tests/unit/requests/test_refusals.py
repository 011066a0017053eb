"""The domain's refusals and how each adapter words them: the API and the pages agree."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from kraan.api.domain_errors import domain_errors, http_error
from kraan.domain.requests.rules import Missing, Refused, RuleViolation, StepConflict
from kraan.store.help_requests import NotFound, VersionConflict
from kraan.web.i18n import language
from kraan.web.refusals import refusal_text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RuleViolation("msob_needs_signature", "the chair has not signed"), 422),
        (StepConflict("already answered"), 409),
        (VersionConflict("version 3 is not the latest"), 409),
        (Refused("viewer-1", "viewer", "sign an MSOB"), 403),
        (NotFound("no help request 9"), 404),
        (Missing("no signal 4"), 404),
    ],
)
def test_api_and_page_give_the_same_status_for_each_refusal(error: Exception, status: int) -> None:
    answer = http_error(error)
    assert answer.status_code == status
    with language("en"):  # the page's words; the rule's code is no part of them
        page_status, text = refusal_text(error)
    assert page_status == status
    if isinstance(error, RuleViolation):
        assert answer.detail == [{"field": "body", "message": error.problems[0][1],
                                  "rule": error.rule}]  # fmt: skip
        assert text == error.problems[0][1] and error.rule not in text
    else:
        assert answer.detail == text == str(error)
    with language("nl"):  # the same status on a Dutch page; the API keeps its English
        assert refusal_text(error)[0] == status
    assert http_error(error).detail == answer.detail


def test_refused_names_who_and_what() -> None:
    assert str(Refused("anna", "viewer", "sign an MSOB")) == "anna (viewer) may not sign an MSOB"


def test_other_errors_are_not_mapped() -> None:
    with pytest.raises(ZeroDivisionError), domain_errors():
        raise ZeroDivisionError
    with pytest.raises(HTTPException) as caught, domain_errors():
        raise RuleViolation("deployment_above_request", [("count", "3 > 2"), ("kind", "x")])
    assert caught.value.status_code == 422 and len(caught.value.detail) == 2

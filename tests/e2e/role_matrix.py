"""The role matrix (issue 8): every endpoint and web form, every role, the expected answer.

One row per endpoint. The roles are the columns: ``anonymous`` (no credentials), ``viewer``,
``reporter`` (reports for H1 only), ``coord-r1`` and ``coord-r2`` (regional coordinators of
R1 and R2) and ``national``. H1 and H2 lie in R1, H3 in R2; the seeded transfer runs from R1
to R2, so R2 receives (offers, accepts) and R1 sends (transport, arrival).

Cells:
``ok``  any 2xx or 3xx answer (a web form redirects after success);
``409`` allowed, but the object's state moved on (only on repeated state changes);
``401`` no or bad credentials; ``403`` credentials without the right;
``422!`` the report-writing endpoints refuse a location outside the caller's scope with
a 422 naming ``location_code`` (one message per field, issue 1 house rule).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "viewer", "reporter", "coord-r1", "coord-r2", "national")

OK, DENIED, ANON, SCOPE = "ok", "403", "401", "422!"
PUBLIC = dict.fromkeys(ROLES, OK)
ANY_TOKEN = {**dict.fromkeys(ROLES, OK), "anonymous": ANON}
NATIONAL_ONLY = {**dict.fromkeys(ROLES, DENIED), "anonymous": ANON, "national": OK}
COORDINATORS = {**NATIONAL_ONLY, "coord-r1": OK, "coord-r2": OK}
R1_COORDINATORS = {**NATIONAL_ONLY, "coord-r1": OK}
R2_COORDINATORS = {**NATIONAL_ONLY, "coord-r2": OK}
#: write a report for H1 (R1): its reporter, R1's coordinator, national
H1_WRITERS = {**dict.fromkeys(ROLES, SCOPE), "anonymous": ANON,
              "reporter": OK, "coord-r1": OK, "national": OK}  # fmt: skip
#: read H1's versions with their authors: the same people; others 403
H1_READERS = {**dict.fromkeys(ROLES, DENIED), "anonymous": ANON,
              "reporter": OK, "coord-r1": OK, "national": OK}  # fmt: skip
#: a form without a session answers 401 with the login form
FORM_R1 = {**R1_COORDINATORS}
FORM_R2 = {**R2_COORDINATORS}
FORM_R1_SENDER = {**R1_COORDINATORS}


@dataclass(frozen=True, slots=True)
class Cell:
    name: str
    method: str
    path: str
    expect: dict[str, str]
    body: str = ""  # a key of the bodies the test builds
    web: bool = False  # a web form: session cookie and form token instead of a Bearer token


MATRIX: tuple[Cell, ...] = (
    # public reads
    Cell("status", "GET", "/api/v1/status?as_of=2020-12-21", PUBLIC),
    Cell("regions", "GET", "/api/v1/regions", PUBLIC),
    Cell("locations", "GET", "/api/v1/locations", PUBLIC),
    Cell("series", "GET", "/api/v1/series?as_of=2020-12-21", PUBLIC),
    Cell("offers", "GET", "/api/v1/spreading/offers", PUBLIC),
    Cell("overview page", "GET", "/?as_of=2020-12-21", PUBLIC, web=True),
    Cell("region page", "GET", "/regions/R1?as_of=2020-12-21", PUBLIC, web=True),
    Cell("glossary page", "GET", "/glossary", PUBLIC, web=True),
    # reports
    Cell("report", "POST", "/api/v1/reports", H1_WRITERS, body="report"),
    Cell("batch", "POST", "/api/v1/reports/batch", H1_WRITERS, body="batch"),
    Cell("csv", "POST", "/api/v1/reports/csv", H1_WRITERS, body="csv"),
    Cell("versions", "GET", "/api/v1/reports/H1/versions?reported_at={at}", H1_READERS),
    Cell(
        "H3 versions",
        "GET",
        "/api/v1/reports/H3/versions?reported_at={at}",
        {**H1_READERS, "reporter": DENIED, "coord-r1": DENIED, "coord-r2": OK},
    ),  # fmt: skip
    # coordinator reads (each scoped to the region; see test_hardening)
    Cell("rejections", "GET", "/api/v1/rejections", COORDINATORS),
    Cell("audit", "GET", "/api/v1/audit", COORDINATORS),
    Cell("audit page", "GET", "/audit", COORDINATORS, web=True),
    # declarations and access
    Cell("declare R1", "POST", "/api/v1/regions/R1/status", R1_COORDINATORS, body="declare"),
    Cell("declare R2", "POST", "/api/v1/regions/R2/status", R2_COORDINATORS, body="declare"),
    Cell("token", "POST", "/api/v1/tokens", NATIONAL_ONLY, body="token"),
    # spreading
    Cell("plan", "POST", "/api/v1/spreading/plans", NATIONAL_ONLY, body="plan"),
    Cell("plan read", "GET", "/api/v1/spreading/plans/{plan}", PUBLIC),  # names: token only
    Cell("transfers", "GET", "/api/v1/spreading/transfers", PUBLIC),  # names: token only
    Cell("transfer history", "GET", "/api/v1/spreading/transfers/{transfer}", ANY_TOKEN),
    Cell("offer R1", "POST", "/api/v1/spreading/offers", R1_COORDINATORS, body="offer_r1"),
    Cell("offer R2", "POST", "/api/v1/spreading/offers", R2_COORDINATORS, body="offer_r2"),
    Cell(
        "receiver offers",
        "POST",
        "/api/v1/spreading/transfers/{transfer}/advance",
        R2_COORDINATORS,
        body="advance_offered",
    ),  # fmt: skip
    Cell(
        "sender transports",
        "POST",
        "/api/v1/spreading/transfers/{transfer2}/advance",
        R1_COORDINATORS,
        body="advance_transport",
    ),  # fmt: skip
    # web forms
    Cell("declare form", "POST", "/regions/R1/declare", FORM_R1, body="declare_form", web=True),
    Cell("offer form", "POST", "/spreading/offers", FORM_R2, body="offer_form", web=True),
    Cell(
        "advance form",
        "POST",
        "/spreading/transfers/{transfer3}/advance",
        FORM_R1_SENDER,
        body="advance_form",
        web=True,
    ),  # fmt: skip
)

#: Every other API write refuses anonymous callers (401). These two compute an answer from
#: the request and store nothing a person wrote, so anyone may call them (their own modules
#: test their roles); the check in test_role_matrix keeps this list honest.
PUBLIC_COMPUTATIONS = frozenset({
    ("POST", "/api/v1/simulations"),
    ("POST", "/api/v1/vaccination/schedule"),
})  # fmt: skip

"""The role matrix (issue 8): every endpoint and web form, every role, the expected answer.

One row per endpoint. The roles are the columns: ``anonymous`` (no credentials), ``viewer``,
``reporter`` (reports for H1 only), ``coord-r1`` and ``coord-r2`` (regional coordinators of
R1 and R2), ``national``, and the roles of issue 14: ``chair`` (chair of safety region VR01,
H1's), ``lotc`` (LOT-C), ``defence``, ``umbrella`` (ActiZ / ZN) and ``stock`` (the stock
office). H1 and H2 lie in R1, H3 in R2; the seeded transfer runs from R1 to R2, so R2
receives (offers, accepts) and R1 sends (transport, arrival). The help requests, signals,
ELV orders and ventilator applications of the rows below are made for H1 / R1 by the test
first, each in the state its step needs (a rung-3 request signed, taken in, ...).

Cells:
``ok``  any 2xx or 3xx answer (a web form redirects after success);
``409`` allowed, but the object's state moved on (only on repeated state changes);
``401`` no or bad credentials; ``403`` credentials without the right;
``422!`` the report-writing endpoints refuse a location outside the caller's scope with
a 422 naming ``location_code`` (one message per field, issue 1 house rule).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "viewer", "reporter", "coord-r1", "coord-r2", "national",
         "chair", "lotc", "defence", "umbrella", "stock")  # fmt: skip

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
#: issue 14: file for H1 (help request, signal, chain report, ventilators, beds up): its
#: reporter, R1's coordinator, national; everyone else 403
H1_FILERS = {**NATIONAL_ONLY, "reporter": OK, "coord-r1": OK}
#: a help request of H1 in detail: those involved in its ladder
REQUEST_READERS = {**H1_FILERS, "chair": OK, "lotc": OK, "defence": OK}
ONLY = {role: {**NATIONAL_ONLY, "national": DENIED, role: OK} for role in ROLES[1:]}
STOCK_OFFICE = {**NATIONAL_ONLY, "stock": OK}
UMBRELLA = ONLY["umbrella"]


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
    # issue 14: help requests and the ladder
    Cell("requests summary", "GET", "/api/v1/requests/summary", PUBLIC),
    Cell("requests", "GET", "/api/v1/requests", ANY_TOKEN),  # details only where allowed
    Cell("request detail", "GET", "/api/v1/requests/{request}", REQUEST_READERS),
    Cell("request file", "POST", "/api/v1/requests", H1_FILERS, body="request"),
    Cell("request answer", "POST", "/api/v1/requests/{request}/steps", R1_COORDINATORS,
         body="answer"),  # a second answer is 409  # fmt: skip
    Cell("request escalate", "POST", "/api/v1/requests/{answered}/steps", R1_COORDINATORS,
         body="escalate"),  # fmt: skip
    Cell("request re-confirm", "POST", "/api/v1/requests/{request}/steps", H1_FILERS,
         body="reconfirm"),  # fmt: skip
    Cell("MSOB sign", "POST", "/api/v1/requests/{rung3}/steps", ONLY["chair"], body="sign"),
    Cell("MSOB intake", "POST", "/api/v1/requests/{signed}/steps", ONLY["lotc"],
         body="intake"),  # fmt: skip
    Cell("MSOB fact-finding", "POST", "/api/v1/requests/{taken_in}/steps", ONLY["defence"],
         body="fact_finding"),  # fmt: skip
    Cell("MSOB Defence decision", "POST", "/api/v1/requests/{found}/steps", ONLY["defence"],
         body="vote_defence"),  # fmt: skip
    Cell("MSOB VWS decision", "POST", "/api/v1/requests/{found}/steps", ONLY["lotc"],
         body="vote_vws"),  # fmt: skip
    Cell("deployment", "POST", "/api/v1/requests/{request}/deployments", R1_COORDINATORS,
         body="deployment"),  # fmt: skip
    Cell("MSOB deployment", "POST", "/api/v1/requests/{found}/deployments",
         {**R1_COORDINATORS, "defence": OK}, body="deployment"),  # fmt: skip
    Cell("requests page", "GET", "/requests", PUBLIC, web=True),
    Cell("request form", "POST", "/requests/new", H1_FILERS, body="request_form", web=True),
    Cell("request step form", "POST", "/requests/{request_web}/step", R1_COORDINATORS,
         body="answer_form", web=True),  # fmt: skip
    Cell("deployment form", "POST", "/requests/{request_web}/deploy", R1_COORDINATORS,
         body="deployment_form", web=True),  # fmt: skip
    # signals, ELV orders, the chain outside the hospital
    Cell("signals", "GET", "/api/v1/signals", ANY_TOKEN),
    Cell("signal file", "POST", "/api/v1/signals", H1_FILERS, body="signal"),
    Cell("signal escalate", "POST", "/api/v1/signals/{signal}/steps", R1_COORDINATORS,
         body="signal_escalate"),  # fmt: skip
    Cell("signal classify", "POST", "/api/v1/signals/{escalated}/steps", UMBRELLA,
         body="signal_classify"),  # fmt: skip
    Cell("ELV orders", "GET", "/api/v1/elv-orders", PUBLIC),
    Cell("ELV order", "POST", "/api/v1/elv-orders", R1_COORDINATORS, body="order"),
    Cell("ELV beds up", "POST", "/api/v1/elv-orders/{order}/beds", H1_FILERS, body="beds"),
    Cell("chain report", "POST", "/api/v1/chain/reports", H1_FILERS, body="chain_report"),
    Cell("chain picture", "GET", "/api/v1/chain/picture", PUBLIC),
    Cell("chain briefing figures", "GET", "/api/v1/chain/briefing", PUBLIC),
    Cell("signals page", "GET", "/signals", PUBLIC, web=True),
    Cell("signal form", "POST", "/signals/new", H1_FILERS, body="signal_form", web=True),
    Cell("signal step form", "POST", "/signals/{signal_web}/step", R1_COORDINATORS,
         body="signal_escalate_form", web=True),  # fmt: skip
    Cell("chain report form", "POST", "/chain/report", H1_FILERS, body="chain_form", web=True),
    Cell("ELV order form", "POST", "/elv-orders/new", R1_COORDINATORS, body="order_form",
         web=True),  # fmt: skip
    Cell("ELV beds form", "POST", "/elv-orders/{order}/beds", H1_FILERS, body="beds_form",
         web=True),  # fmt: skip
    # stockpiles
    Cell("medicines", "GET", "/api/v1/stock/medicines", PUBLIC),
    Cell("medicine record", "POST", "/api/v1/stock/medicines", STOCK_OFFICE, body="medicine"),
    Cell("ventilators", "GET", "/api/v1/stock/ventilators", ANY_TOKEN),
    Cell("ventilator count", "PUT", "/api/v1/stock/ventilators", STOCK_OFFICE, body="pool"),
    Cell("ventilator application", "POST", "/api/v1/stock/ventilators/applications",
         H1_FILERS, body="application"),  # fmt: skip
    Cell("ventilator assessment", "POST",
         "/api/v1/stock/ventilators/applications/{applied}/assess", STOCK_OFFICE,
         body="assess"),  # a second assessment is 409  # fmt: skip
    Cell("ventilator shipment", "POST", "/api/v1/stock/ventilators/applications/{granted}/ship",
         STOCK_OFFICE),  # fmt: skip
    Cell("stock page", "GET", "/stock", PUBLIC, web=True),
    Cell("medicine form", "POST", "/stock/medicine", STOCK_OFFICE, body="medicine_form",
         web=True),  # fmt: skip
    Cell("count form", "POST", "/stock/pool", STOCK_OFFICE, body="pool_form", web=True),
    Cell("application form", "POST", "/stock/apply", H1_FILERS, body="application_form",
         web=True),  # fmt: skip
    Cell("assessment form", "POST", "/stock/assess", STOCK_OFFICE, body="assess_form",
         web=True),  # fmt: skip
    Cell("shipment form", "POST", "/stock/ship", STOCK_OFFICE, body="ship_form", web=True),
)

#: Every other API write refuses anonymous callers (401). These two compute an answer from
#: the request and store nothing a person wrote, so anyone may call them (their own modules
#: test their roles); the check in test_role_matrix keeps this list honest.
PUBLIC_COMPUTATIONS = frozenset({
    ("POST", "/api/v1/simulations"),
    ("POST", "/api/v1/vaccination/schedule"),
})  # fmt: skip

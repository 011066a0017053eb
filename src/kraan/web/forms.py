"""The write side of the dashboard: log in, log out, declare a regional status.

Every POST needs the Origin (or Referer) of this host; the declaration and the
logout also need the per-session form token of :func:`kraan.web.common.csrf_token`.
The session cookie is httponly and SameSite=Strict, so another site's page can
neither read it nor send it along.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import can_declare_status
from kraan.settings import Settings
from kraan.store.access import issue_token, principal_for_login, principal_for_token, revoke_token
from kraan.store.declarations import declare_status
from kraan.store.login_guard import LoginPolicy, clear_failures, locked_for, record_failure
from kraan.store.reference import load_regions
from kraan.store.user_admin import audit_login, audit_logout
from kraan.web.common import DECLARABLE, form_ok, query, read_as_of, render, same_origin
from kraan.web.i18n import gettext as _
from kraan.web.i18n import ngettext
from kraan.web.pages import region_view

router = APIRouter(include_in_schema=False)
SESSION_LIFETIME = timedelta(hours=12)


def _policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(settings.login_max_failures, settings.login_window, settings.login_lockout)


def _safe_next(target: str) -> str:
    """Only local paths, so the login form cannot bounce to another site."""
    parts = urlsplit(target)
    local = target.startswith("/") and not (parts.scheme or parts.netloc)
    return target if local and "\\" not in target and not target.startswith("//") else "/"


def _declaration_problem(status: str, reason: str, hours: str) -> str | None:
    """The same rules as the API's DeclarationCreate, worded for a person."""
    if status not in {s.value for s in DECLARABLE}:
        return _("Choose a status.")
    if len(reason) < 5:
        return _("Give a reason of at least 5 characters.")
    if len(reason) > 2000:
        return _("Keep the reason under 2,000 characters.")
    if hours not in ("", "24", "72", "168"):
        return _("Choose how long the declaration holds.")
    return None


@router.post("/regions/{code}/declare", response_class=HTMLResponse)
def declare_page(
    request: Request,
    code: str,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    hours: Annotated[str, Form()] = "",
    applies: Annotated[str, Form()] = "now",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Declare a regional status: coordinators only, audited by declare_status. While a
    past date is replayed, the coordinator chooses whether it applies now or from the
    replayed moment (``valid_from``); either way the page stays on that date."""
    if principal is None:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            next=f"/regions/{code}",
            error=_("Log in as a coordinator to declare a status."),
        )
    if not form_ok(request, settings, csrf):
        return render(
            request,
            "error.html",
            principal,
            status_code=403,
            title=_("Form expired"),
            message=_(
                "This form did not come from your current session. Reload the page and "
                "submit again."
            ),
        )
    if not can_declare_status(principal, region_code=code):
        return render(
            request,
            "error.html",
            principal,
            status_code=403,
            title=_("Not allowed"),
            message=_(
                "Only the coordinators of %(code)s or a national coordinator may declare "
                "its status.",
                code=code,
            ),
        )
    reason = reason.strip()
    form = {"status": status, "reason": reason, "hours": hours}
    problem = _declaration_problem(status, reason, hours)
    if problem:
        return region_view(
            request,
            engine,
            settings,
            principal,
            code,
            status_code=422,
            form={**form, "error": problem},
        )
    now = utc_now()
    as_of, carry, _error = read_as_of(request)
    start = as_of if carry and applies == "replayed" and as_of <= now else now
    with engine.begin() as conn:
        if code not in {r.code for r in load_regions(conn)}:
            return render(
                request,
                "error.html",
                principal,
                status_code=404,
                title=_("Unknown region"),
                message=_("There is no ROAZ region with code '%(code)s'.", code=code),
            )
        declare_status(
            conn,
            region_code=code,
            status=status,
            reason=reason,
            actor=principal.username,
            now=now,
            valid_from=start,
            valid_until=start + timedelta(hours=int(hours)) if hours else None,
        )
    shown = "1" if start <= as_of else "later"
    return RedirectResponse(f"/regions/{code}{query(as_of=carry, declared=shown)}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: OptionalPrincipalDep, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", principal, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """A session token in an httponly, SameSite=Strict cookie; the same message for any failure.

    Failures are counted per user name and per address; past the limit the form answers 429
    with Retry-After until the lockout has passed (issue 8).
    """
    found = None
    name = username.strip()[:100]
    ip = request.client.host if request.client else "unknown"
    now = utc_now()
    with engine.connect() as conn:
        wait = locked_for(conn, username=name, ip=ip, now=now, policy=_policy(settings))
    if wait:
        response = render(
            request,
            "login.html",
            None,
            status_code=429,
            next=_safe_next(next),
            username=name,
            error=ngettext(
                "Too many failed attempts. Try again in %(num)s minute.",
                "Too many failed attempts. Try again in %(num)s minutes.",
                max(1, wait // 60),
            ),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if same_origin(request) and name and password:
        with engine.connect() as conn:
            found = principal_for_login(conn, username=name, password=password[:1000])
    with engine.begin() as conn:  # every attempt is audited (the password never is)
        audit_login(conn, username=name, ok=found is not None, now=utc_now())
    if found is None:
        if name:
            with engine.begin() as conn:
                record_failure(conn, username=name, ip=ip, now=now)
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            next=_safe_next(next),
            username=username,
            error=_("Unknown user name or wrong password."),
        )
    user, principal = found
    with engine.begin() as conn:
        clear_failures(conn, username=principal.username)
        token = issue_token(
            conn,
            user_id=user,
            now=utc_now(),
            actor=principal.username,
            kind="session",
            label="web session",
            lifetime=SESSION_LIFETIME,
            token_bytes=settings.token_bytes,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        settings.session_cookie,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request, principal: OptionalPrincipalDep) -> Response:
    """Logging out changes state, so a GET only shows the button that POSTs."""
    if principal is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "logout.html", principal)


@router.post("/logout")
def logout(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Revoke the session token server-side, not only the cookie."""
    session = request.cookies.get(settings.session_cookie)
    if session and form_ok(request, settings, csrf):
        with engine.begin() as conn:
            who = principal_for_token(conn, token=session, now=utc_now())
            revoke_token(conn, token=session, now=utc_now())
            if who is not None:
                audit_logout(conn, username=who.username, now=utc_now())
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(settings.session_cookie, path="/", httponly=True, samesite="strict")
    return response

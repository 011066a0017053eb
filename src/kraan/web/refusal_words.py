"""The English sentences of the domain's, services' and store's refusals, as msgids.

The domain stays free of i18n (import contracts): it raises its errors in English, which
the JSON API returns unchanged. A page shows the same refusal in its own language through
:mod:`kraan.web.refusals`, which matches the English text against these msgids. Each msgid
is the raise site's English sentence with its variable parts written as ``%(name)s``; the
name says how the part is worded (see ``refusals.CONVERT``: ``state``, ``answer``, ``kind``
and ``party`` are codes put in words, ``what`` is a sentence of its own, anything else is
kept as it is). A sentence missing here is shown in English; the tests of
``tests/unit/web/test_refusals.py`` raise the real errors and check they are covered.
"""

from __future__ import annotations

from kraan.web.i18n import N_

SENTENCES: tuple[str, ...] = (
    # ---- generic field problems (requests, signals, chain reports, stock) ----
    N_("required"),
    N_("lies in the future"),
    N_("a number"),
    N_("cannot be negative"),
    N_("a percentage from 0 to 100"),
    N_("a whole number from 0 to %(top)s"),
    N_("an ISO 8601 time"),
    N_("before %(day)s"),
    N_("unknown location"),
    N_("unknown region"),
    N_("say why (at least 5 characters)"),
    N_("say why (at least 10 characters)"),
    N_("give the reason"),
    # ---- help requests (the ladder) ----
    N_("give the period as two dates"),
    N_("name at least one kind of care worker with a count"),
    N_("unknown kind of care worker; use %(codes)s"),
    N_("a whole number of people from 0 to 500"),
    N_("the period ends before it starts"),
    N_("a request covers at most 3 months; file a new one"),
    N_("give reason (at least 10 characters)"),
    N_("give the measures already taken (at least 10 characters)"),
    N_("give shifts (at least 1 characters)"),
    N_("ask for at least one person"),
    N_("say who was asked at this rung"),
    N_("more than the %(asked)s asked for"),
    N_("more than asked for"),
    N_("the numbers provided mean '%(implied)s', not '%(answer)s'"),
    N_(
        "rung 3 is answered by the joint decision of Defence, VWS and GGD-GHOR/LOCC "
        "(record their votes), not directly"
    ),
    N_("rung %(rung)s was already answered by %(user)s at %(at)s; reload"),
    N_("rung %(rung)s was already answered; reload"),
    N_("the request is %(state)s, not waiting for an answer"),
    N_("the request is %(state)s; nothing more can happen to it"),
    N_(
        "rung %(rung)s has not answered yet; a request goes up only after the rung below "
        "answered 'cannot fill' or 'partly'"
    ),
    N_("rung %(rung)s filled the request; there is nothing to escalate"),
    N_("Defence (MSOB) is the last resort; no rung above it"),
    N_(
        "not updated for more than %(hours)s h: the requester or the region re-confirms the "
        "need (and the numbers) before it can escalate"
    ),
    N_(
        "Defence comes only after the Nationale Zorgreserve was asked (seed 003); record it "
        "among those asked at rung 2"
    ),
    N_("this step belongs to a rung-3 (MSOB) request"),
    N_("the safety-region chair has not signed the request"),
    N_("LOT-C has not taken the request in"),
    N_("Defence's fact-finding report is not on file"),
    N_("'%(step)s' was already recorded; reload"),
    N_("the joint decision is already complete; reload"),
    N_("summarise the fact-finding report"),
    N_("party is one of %(parties)s"),
    N_("%(party)s has already decided; reload"),
    N_("a step cannot lie before the previous one"),
    N_("close a request once it is answered; withdraw it otherwise"),
    N_("give the reason for withdrawing"),
    N_("unknown step %(step)s"),
    N_("the request does not ask for %(kind)s"),
    N_("at least one person"),
    N_("the deployment ends before it starts"),
    N_("say who sent them"),
    N_("the request was withdrawn"),
    N_("record medical staff one person at a time with a reference, so nobody is counted twice"),
    N_(
        "%(already)s %(kind)s already deployed of %(asked)s asked for; %(count)s more is "
        "above the request"
    ),
    N_(
        "%(person)s is already deployed from %(start)s to %(end)s; medical staff can be "
        "deployed only once"
    ),
    N_("no help request %(id)s"),
    N_("no help request %(id)s on %(day)s"),
    N_(
        "help request %(id)s changed meanwhile (version %(version)s, you saw %(seen)s; now "
        "%(state)s at rung %(rung)s): reload and decide again"
    ),
    N_(
        "help request %(id)s changed meanwhile (%(user)s: %(step)s; now %(state)s at rung "
        "%(rung)s): reload and decide again"
    ),
    N_("help request %(id)s was changed by someone else at the same moment; reload"),
    # who may not do what (Refused: "<user> (<role>) may not <what>")
    N_("%(user)s (%(role)s) may not %(what)s"),
    N_("file a help request for %(code)s"),
    N_("take step '%(step)s' on help request %(id)s"),
    N_("record deployments on help request %(id)s"),
    N_("file a signal for %(code)s"),
    N_("take step '%(step)s' on signal %(id)s"),
    N_("order ELV beds for %(code)s"),
    N_("report beds for %(code)s"),
    N_("apply for ventilators for %(code)s"),
    N_("assess ventilator applications"),
    N_("set the ventilator stock"),
    N_("ship ventilators"),
    N_("record CCV figures"),
    N_("report for %(code)s in %(region)s"),
    # ---- signals, ELV beds, chain reports ----
    N_("the date since when it is blocked"),
    N_("say what is blocked (at least 10 characters)"),
    N_("the signal is already %(state)s; reload"),
    N_("the signal is closed"),
    N_("the signal is not filed"),
    N_("the umbrella body classifies a signal once the region escalated it"),
    N_("recognisable, general or specific"),
    N_("record the action once the signal is classified"),
    N_("describe the action"),
    N_("a signal is closed once it is classified"),
    N_("the umbrella body said action is needed: record it first"),
    N_("no signal %(id)s"),
    N_("signal %(id)s changed meanwhile (now %(state)s); reload"),
    N_("signal %(id)s was changed at the same moment; reload"),
    N_("no ELV order %(id)s"),
    N_("order from 1 to 2,000 beds"),
    N_("report at least one bed"),
    N_("the beds came up before the order"),
    N_("%(up)s of %(ordered)s beds are up already; %(beds)s more is above the order"),
    N_("not a location in %(region)s"),
    N_("more COVID patients than occupied beds"),
    N_("one of %(codes)s"),
    N_("corrections go back %(days)s days at most"),
    N_("%(chain)s reports beds, not a pressure status"),
    N_("%(chain)s reports a pressure status, not beds"),
    # ---- ventilator stock ----
    N_("a stock cannot be negative"),
    N_("more units are reserved or shipped than that"),
    N_("apply for 1 to 200 units"),
    N_("no ventilator application %(id)s"),
    N_("application %(id)s was changed at the same moment; reload"),
    N_("application %(id)s is already %(state)s; reload"),
    N_("only %(free)s units are free; %(granted)s is over the stock"),
    N_("application %(id)s is already shipped; reload"),
    N_("only granted units are shipped"),
    N_("there is no central ventilator stock yet"),
    N_("granted, partly or refused"),
    N_("grant 0 to %(units)s units"),
    N_("%(granted)s of %(units)s units means '%(implied)s'"),
    # ---- home monitoring and early warning ----
    N_("unknown team"),
    N_("the patient has been signed off"),
    N_("lies before the enrolment"),
    N_("this pseudonym is already enrolled in this team"),
    N_("the patient was changed or signed off meanwhile; reload"),
    N_("the alert was acknowledged or changed meanwhile; reload"),
    N_("unknown practice"),
    N_("use one of %(codes)s"),
    N_("unknown parameter"),
    N_("send at least one of %(codes)s"),
    N_("%(value)s %(unit)s is outside %(low)s-%(high)s %(unit_again)s"),
    N_("unknown risk group %(group)s"),
    N_("must be between 0 and 120"),
    N_("listed twice"),
    # ---- spreading: transfers and offers ----
    N_("not allowed now: %(what)s"),
    N_("cannot go from %(tstate)s to %(wanted)s; allowed: %(tstates)s"),
    N_("accepting needs the id of a bed offer of the receiving region"),
    N_("offer at least one bed"),
    N_("no transfer %(id)s"),
    N_("no plan %(id)s"),
    N_("no bed offer %(id)s"),
    N_(
        "transfer %(id)s changed meanwhile (version %(version)s, you saw %(seen)s; now "
        "%(tstate)s): reload and decide again"
    ),
    N_("transfer %(id)s was moved by someone else at the same moment; reload and decide again"),
    N_("offer %(offer)s is not for %(region)s on %(day)s"),
    N_("offer %(offer)s has fewer than %(patients)s free beds left; another transfer took them"),
    N_(
        "%(user)s may not move transfer %(id)s (%(source)s -> %(target)s) to %(wanted)s: the "
        "receiving region offers, accepts and declines, the sending region reports transport "
        "and arrival"
    ),
    # ---- forecasts shown on the pages ----
    N_("no reports for %(area)s in the %(days)s days up to %(day)s: nothing to forecast from"),
    N_("region %(area)s has no reporting locations"),
    # ---- simulation form ----
    N_("at most %(top)s through the API"),
    N_("at most %(top)s days"),
    N_("unknown module; use one of %(codes)s"),
    N_("unknown quadrant; use one of %(codes)s"),
    N_("end lies before start"),
    # ---- vaccination planning ----
    N_("use an ISO week like 2021-W05"),
    N_("no such ISO week"),
    N_("unknown; use one of %(codes)s"),
    N_("must be a number"),
    N_("must be >= 0"),
    N_("no rows"),
    N_("must be 'count' or 'population'"),
    N_("unknown group"),
)

#: Domain sentences that carry codes: the words a page shows instead (in both languages;
#: the same placeholders on both sides).
REWORDED: dict[str, str] = {
    "reports for %(area)s start on %(start)s; a forecast needs %(days)s days of reports, so the "
    "first possible as_of is %(day)s": N_(
        "reports for %(area)s start on %(start)s; a forecast needs %(days)s days of reports, so "
        "the first day to forecast from is %(day)s"
    ),
    "normal, under_pressure or no_new_patients": N_(
        "choose normal, under pressure or no new patients"
    ),
    "one of filled, partly, cannot_fill": N_("choose filled, partly or cannot fill"),
    "escalate to actiz or zn": N_("escalate to ActiZ or ZN"),
    "cancelling needs a reason in 'note'": N_("cancelling needs a reason in the note"),
}

"""Every URL pattern of ETAGE, declared nominative or not (issue 7, "Audit completeness").

``tests/core/test_audit_completeness.py`` fails when a pattern is missing here. When you add a
page, a download, an export or an API endpoint, declare it:

- it shows or sends household data (a name, an address, a note, a document, a situation's
  details…): add it to :data:`PROBES` with the persona allowed to see it and how to build its
  URL from the test's situation; its view must call ``access_log_record`` (the test requests
  it and checks the new log entry);
- otherwise: add it to :data:`NOT_NOMINATIVE` with the one-line reason.

:data:`NOMINATIVE_NOT_PROBED` lists nominative pages this test does not request yet (each says
what it needs); moving one into :data:`PROBES` is always welcome, adding one needs a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Probe:
    #: Demo account allowed to see the page (see tests/pathways.py for the situation).
    username: str
    #: URL kwargs from the context {"situation": Situation, ...}.
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    #: Whether the entry must carry the test situation's id.
    about_situation: bool = True


def _pk(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["situation"].pk}


PROBES: dict[str, Probe] = {
    "situations:detail": Probe("t1-professionnel", _pk),
    "situations:household": Probe("t1-professionnel", _pk),
    "situations:sharing": Probe("t1-coordination", _pk),
    "situations:list": Probe("t1-professionnel"),
    "support:plan": Probe("t1-professionnel", _pk),
    "support:journal": Probe("t1-professionnel", _pk),
    "support:documents": Probe("t1-professionnel", _pk),
    "support:reviews": Probe("t1-professionnel", _pk),
    "intake:my_referrals": Probe("t1-signalement"),
}

NOMINATIVE_NOT_PROBED: dict[str, str] = {
    "situations:step": "form of a pathway step; needs a step allowed at the situation's status",
    "situations:event_correct": "needs a pathway event to correct",
    "procedures:event_correct": "needs a procedure event (its GET is logged, procedures tests)",
    "procedures:aid_update": "needs an aid (its GET is logged, procedures tests)",
    "support:objective_edit": "needs an objective of the plan",
    "support:action_detail": "needs a plan action (logged, support tests)",
    "support:document_download": "needs a stored document (logged: test_documents.py)",
    "meetings:detail": "needs a meeting with an agenda",
    "meetings:decision": "needs an agenda item",
    "meetings:minutes": "needs a held meeting (logged: test_minutes.py)",
    "privacy:request_detail": "rights of the person, issue 7 (being built)",
    "privacy:answer_download": "rights of the person, issue 7 (being built)",
    "privacy:search": "rights of the person, issue 7 (being built)",
    "privacy:person_file": "rights of the person, issue 7 (being built)",
    "privacy:erase": "rights of the person, issue 7 (being built)",
    "breakglass:open": "administrators' emergency access, issue 7 (being built)",
    "arrears:detail": "landlord's arrears lines, issue 6 (being built)",
    "linkage:queue": "record linkage, issue 6 (being built)",
    "linkage:decide": "record linkage, issue 6 (being built)",
    "linkage:merges": "record linkage, issue 6 (being built)",
    "linkage:merge_start": "record linkage, issue 6 (being built)",
    "alerts:candidate_list": "early-warning candidates, issue 6 (being built)",
    "alerts:candidate_convert": "early-warning candidates, issue 6 (being built)",
    "alerts:candidate_dismiss": "early-warning candidates, issue 6 (being built)",
    "api:arrears_batch": "REST API, issue 6 (being built)",
    "api:signals": "REST API, issue 6 (being built)",
    "api:referrals": "REST API, issue 6 (being built)",
    "api:referral": "REST API, issue 6 (being built)",
}

#: Namespaces with no household data at all.
NOT_NOMINATIVE_NAMESPACES: dict[str, str] = {
    "admin": "configuration back-office; no case model is registered (test_home.py)",
}

NOT_NOMINATIVE: dict[str, str] = {
    "core:home": "profile, territories and partners; counts only",
    "situations:archive_reason": (
        "asks why an archived situation is read: its reference only; stating the reason writes "
        "a `read` entry with it (tests/privacy/test_archive_reads.py)"
    ),
    "core:access_log": "who-did-what metadata, no household data; its exports are logged",
    "core:access_log_export": "the log itself; the export writes an `export` entry",
    "accounts:login": "login form",
    "accounts:logout": "logout",
    "accounts:second_factor_enrol": "the person's own second factor",
    "accounts:second_factor_verify": "the person's own second factor",
    "accounts:password_change": "the person's own password",
    "accounts:password_change_done": "confirmation page",
    "intake:referral_create": "empty form; duplicates are announced without any detail",
    "worklist:index": "references and counts only, never names (docs/data-protection.md)",
    "notifications:index": "references, dates and closed-list labels only",
    "notifications:preferences": "the person's own settings",
    "notifications:mark_all_read": "POST, changes the person's own notifications",
    "notifications:open": "redirects to the page it announces (which logs)",
    "notifications:mark_read": "POST, changes the person's own notification",
    "situations:consent_withdraw": "POST only (a change, logged by the pathway's events)",
    "situations:share_revoke": "POST only (a change, logged by the pathway's events)",
    "procedures:event_record": "form to record a milestone; the change is an event",
    "procedures:balance_record": "form to record a balance; the change is a row",
    "procedures:aid_create": "empty form",
    "support:action_add": "empty form",
    "support:action_status": "POST only",
    "meetings:index": "list of platforms and meetings: dates and places",
    "meetings:platform": "a platform's meetings: dates and places",
    "meetings:create": "empty form",
    "meetings:calendar": "times, place and link only (test_minutes.py)",
    "meetings:edit": "the meeting's date, place and link",
    "meetings:attendance": "professionals' attendance, no household data",
    "meetings:agenda_add": "POST by reference",
    "meetings:agenda_refresh": "POST",
    "meetings:agenda_up": "POST",
    "meetings:agenda_down": "POST",
    "meetings:agenda_withdraw": "POST",
    "meetings:flag": "POST, flags a situation for the agenda",
    "privacy:register": "register of requests: dates and statuses (issue 7, being built)",
    "privacy:request_create": "form (issue 7, being built)",
    "privacy:objection": "POST form (issue 7, being built)",
    "privacy:objection_lift": "POST (issue 7, being built)",
    "privacy:legal_hold": "POST form (issue 7, being built)",
    "privacy:legal_hold_lift": "POST (issue 7, being built)",
    "breakglass:register": "the grants' register for officers: who, reference, reason",
    "arrears:list": "the landlord's imports: file names, dates and counts",
    "arrears:status": "progress of an import: counts",
    "linkage:merge_undo": "POST",
    "api:schema": "the OpenAPI schema",
    "api:arrears_batches": "the landlord's imports: counts (issue 6, being built)",
    "api:?": "the API's catch-all answer (404 in JSON)",
}

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
    #: Demo account allowed to see the page (see tests/pathways.py for the situation), or the
    #: organisation code of the API token when ``api`` is set.
    username: str
    #: URL kwargs from the context {"situation": Situation, ...} (see ``world`` in the test).
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    #: Whether the entry must carry the test situation's id.
    about_situation: bool = True
    #: "get" or "post"; ``data`` (query string or form) from the context.
    method: str = "get"
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    status: int = 200
    #: Requested with an API token of the persona's organisation instead of a session.
    api: bool = False


def _pk(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["situation"].pk}


def _sub(key: str, name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The situation's pk and one of its sub-objects' pk as ``name``."""
    return lambda ctx: {"pk": ctx["situation"].pk, name: ctx[key].pk}


def _own(key: str, name: str = "pk") -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda ctx: {name: ctx[key].pk}


PROBES: dict[str, Probe] = {
    "situations:detail": Probe("t1-professionnel", _pk),
    "situations:household": Probe("t1-professionnel", _pk),
    "situations:sharing": Probe("t1-coordination", _pk),
    "situations:list": Probe("t1-professionnel"),
    "situations:step": Probe("t1-professionnel", lambda ctx: {**_pk(ctx), "action": "assess"}),
    "situations:event_correct": Probe("t1-professionnel", _sub("pathway_event", "event_pk")),
    "support:plan": Probe("t1-professionnel", _pk),
    "support:journal": Probe("t1-professionnel", _pk),
    "support:documents": Probe("t1-professionnel", _pk),
    "support:reviews": Probe("t1-professionnel", _pk),
    "support:objective_edit": Probe("t1-professionnel", _sub("objective", "objective_pk")),
    "support:action_detail": Probe("t1-professionnel", _sub("plan_action", "action_pk")),
    "support:document_download": Probe("t1-association", _sub("document", "document_pk")),
    "procedures:event_correct": Probe("t1-professionnel", _sub("procedure_event", "event_pk")),
    "procedures:aid_update": Probe("t1-professionnel", _sub("aid", "aid_pk")),
    "meetings:detail": Probe("t1-coordination", _own("meeting")),
    "meetings:decision": Probe(
        "t1-coordination", lambda ctx: {"pk": ctx["meeting"].pk, "item_pk": ctx["item"].pk}
    ),
    "meetings:minutes": Probe(
        "t1-coordination",
        lambda ctx: {"pk": ctx["meeting"].pk, "version": "membres", "fmt": "pdf"},
    ),
    "intake:my_referrals": Probe("t1-signalement"),
    "privacy:request_detail": Probe("t1-dpd", _own("access_request"), about_situation=False),
    "privacy:answer_download": Probe("t1-dpd", _own("access_request"), about_situation=False),
    "privacy:search": Probe(
        "t1-dpd",
        about_situation=False,
        data=lambda ctx: {"last_name": ctx["last_name"], "reason": "DA-2026-0001"},
    ),
    "privacy:person_file": Probe(
        "t1-dpd",
        _own("household"),
        method="post",
        data=lambda ctx: {"format": "json", "reason": "DA-2026-0001"},
    ),
    "arrears:detail": Probe("t1-recouvrement", _own("batch"), about_situation=False),
    "linkage:queue": Probe("t1-professionnel", about_situation=False),
    "linkage:merges": Probe("t1-coordination", about_situation=False),
    "linkage:merge_start": Probe(
        "t1-coordination", lambda ctx: {"situation_pk": ctx["situation"].pk}
    ),
    "alerts:candidate_list": Probe("t1-professionnel", about_situation=False),
    "alerts:candidate_convert": Probe("t1-professionnel", _own("candidate"), about_situation=False),
    "alerts:candidate_dismiss": Probe("t1-professionnel", _own("candidate"), about_situation=False),
    "api:referrals": Probe("t1-signalement", api=True),
    "api:referral": Probe("t1-signalement", _own("referral"), api=True),
}

NOMINATIVE_NOT_PROBED: dict[str, str] = {
    "privacy:erase": "POST that anonymises the household (a change, not a read): "
    "tests/privacy/test_objection_erasure.py",
    "linkage:decide": "POST that links a lease to a household (a change, logged by the service): "
    "tests/linkage/test_views.py",
}

#: Namespaces with no household data at all.
NOT_NOMINATIVE_NAMESPACES: dict[str, str] = {
    "admin": "configuration back-office; no case model is registered (test_home.py)",
}

NOT_NOMINATIVE: dict[str, str] = {
    "analytics:dashboard": "indicator aggregates, small cells suppressed for steering",
    "analytics:compare": "indicator aggregates per territory",
    "analytics:definitions": "the indicator catalogue",
    "analytics:definition": "one indicator's definition",
    "analytics:export_csv": "the dashboard's aggregates, as shown",
    "analytics:export_xlsx": "the dashboard's aggregates, as shown",
    "analytics:process_hub": "evaluator's analytics: pseudonymised snapshot, no name or date",
    "analytics:process_map": "directly-follows counts and durations, pseudonymised snapshot",
    "analytics:variants": "variant counts over the pseudonymised snapshot",
    "analytics:variant_cases": "pseudonyms of the cases of a variant",
    "analytics:timeline": "one pseudonymised pathway: codes, bands, months and day offsets",
    "analytics:survival": "survival curves over the pseudonymised snapshot",
    "analytics:compliance": "rule compliance rates and pseudonyms of deviating cases",
    "analytics:quality": "data-quality counts and pseudonyms",
    "analytics:typology": "pathway types over the pseudonymised snapshot",
    "analytics:process_export": "the tables of the evaluator's pages, pseudonymised, as shown",
    "evaluation:index": "the evaluator's projects: names and counts",
    "evaluation:project": "a project's counts and members (staff)",
    "evaluation:members": "staff accounts of the project",
    "evaluation:member_remove": "POST removing a staff member from a project",
    "evaluation:interviews": "interview register: references and stakeholder types, no names",
    "evaluation:interviews_csv": "interview register as CSV: references and types, no names",
    "evaluation:interview_create": "interview form: reference, type, organisation, date",
    "evaluation:interview": "an interview's metadata, consent and pseudonymised transcript",
    "evaluation:interview_edit": "interview form: reference, type, organisation, date",
    "evaluation:interview_consent": "consent record of a pseudonymous interview (dates, form)",
    "evaluation:interview_consent_withdraw": "withdrawal of a pseudonymous interview's consent",
    "evaluation:transcript_upload": (
        "transcript upload: only the pseudonymised text is stored; the originals found are "
        "shown once on the preview, never stored (tests/evaluation/test_interviews_transcripts)"
    ),
    "evaluation:matrix": "evaluation design: questions, indicator aggregates, findings",
    "evaluation:question_create": "evaluation design form",
    "evaluation:question": "a question with pseudonymised excerpts of consented interviews",
    "evaluation:question_edit": "evaluation design form",
    "evaluation:question_delete": "evaluation design confirmation",
    "evaluation:recommendation_create": "evaluation findings form",
    "evaluation:recommendation_edit": "evaluation findings form",
    "evaluation:recommendation_delete": "evaluation findings confirmation",
    "evaluation:logic_model": "evaluation design and indicator aggregates",
    "evaluation:logic_node_create": "evaluation design form",
    "evaluation:logic_node_edit": "evaluation design form",
    "evaluation:logic_node_delete": "evaluation design confirmation",
    "evaluation:codebook": "the codebook: code names, definitions, criteria, segment counts",
    "evaluation:code_create": "codebook form",
    "evaluation:codebook_history": "changes of the codebook, by staff members",
    "evaluation:codebook_qdc": "the codebook as a REFI-QDA file: codes and their definitions",
    "evaluation:codebook_import": "upload and preview of a codebook file (codes only)",
    "evaluation:code_edit": "codebook form",
    "evaluation:code_history": "changes of one code, by staff members",
    "evaluation:code_merge": "merge confirmation: code names and segment counts",
    "evaluation:code_split": (
        "split form: a code's pseudonymised excerpts of consented interviews (others masked)"
    ),
    "evaluation:cases": "case studies: snapshot pseudonyms, strata codes, interview references",
    "evaluation:case_draw": "draw form and preview: strata counts and snapshot pseudonyms",
    "evaluation:case_draw_verify": "POST re-drawing a recorded draw over the snapshot",
    "evaluation:case": (
        "a case dossier: pseudonymised pathway (codes, months, day offsets), interview "
        "references, excerpts of consented interviews"
    ),
    "evaluation:case_summary": "POST of the evaluators' pseudonymised case summary",
    "evaluation:case_attach": "POST attaching a consented interview (by reference) to a case",
    "evaluation:case_detach": "POST detaching an interview from a case",
    "evaluation:case_pin": "POST pinning a coded excerpt to a pseudonymised pathway moment",
    "evaluation:case_unpin": "POST removing a pin",
    "evaluation:case_triangulation": (
        "theme × source verdicts and excerpts of the case's consented interviews"
    ),
    "evaluation:case_triangulation_cell": "an evaluator's verdict and comment on one cell",
    "evaluation:cross_case": "case × question verdicts and findings of the evaluators",
    "evaluation:cross_case_cell": "an evaluator's verdict and finding on one cell",
    "evaluation:report": "report outline: counts, questions, agreement; texts by the evaluators",
    "evaluation:report_download": (
        "evaluation report: references and stakeholder types, excerpts of consented interviews "
        "only, aggregate indicators with small cells masked"
    ),
    "evaluation:report_bundle": (
        "pseudonymised data bundle: codebook, segments by interview reference and numbered "
        "coder, masked aggregates, case draws (snapshot pseudonyms)"
    ),
    "evaluation:retrieval": (
        "excerpts of consented interviews in their context, by interview reference, stakeholder "
        "type and territory; coders are evaluators"
    ),
    "evaluation:segments_csv": "the same segments as the retrieval page, as CSV",
    "evaluation:segments_xlsx": "the same segments as the retrieval page, as XLSX",
    "evaluation:segments_docx": "the same excerpts as the retrieval page, as a Word document",
    "evaluation:code_matrix": "counts of segments and interviews per code and interview attribute",
    "evaluation:cooccurrence": "counts of overlapping coded segments per pair of codes",
    "evaluation:project_qdpx": (
        "REFI-QDA project: codebook, pseudonymised transcripts of consented interviews by "
        "reference, their coding and the evaluators' memos"
    ),
    "evaluation:coding": "transcripts by interview reference, segment counts per coder, scores",
    "evaluation:coding_transcript": (
        "a consented interview's pseudonymised transcript, the coder's own segments, memos"
    ),
    "evaluation:segment_create": "POST coding a span of a pseudonymised transcript",
    "evaluation:segment_delete": "POST removing one's own coded segment",
    "evaluation:memo_create": "analytic memo form about a transcript, a code or a segment",
    "evaluation:memo_edit": "the author's analytic memo form",
    "evaluation:agreement": "inter-coder agreement scores of evaluators, by code",
    "evaluation:reconcile": (
        "two evaluators' coding of a consented pseudonymised transcript, side by side"
    ),
    "evaluation:workshops": "workshops with attendee counts by stakeholder type",
    "evaluation:workshop_create": "workshop form (staff facilitator)",
    "evaluation:workshop": (
        "a workshop: agenda, minutes, attendees by stakeholder type (staff accounts), cards"
    ),
    "evaluation:workshop_edit": "workshop form",
    "evaluation:workshop_attendee_add": "attendee by stakeholder type, optional staff account",
    "evaluation:workshop_attendee_remove": "POST removing an attendee and their ballots",
    "evaluation:card_create": "workshop card form (proposals, no personal data)",
    "evaluation:card_edit": "workshop card form",
    "evaluation:card_delete": "workshop card confirmation",
    "evaluation:card_retain": "POST making a card an action-plan item",
    "evaluation:workshop_voting_open": "POST opening a workshop's vote",
    "evaluation:workshop_voting_close": "POST closing a workshop's vote",
    "evaluation:workshop_vote": "a workshop's cards, the attendee's own ballot, aggregate results",
    "evaluation:workshop_hand_votes": "counts typed in for a show of hands",
    "evaluation:workshop_results": "aggregate results of a workshop's vote",
    "evaluation:actions": "action plan: actions, owners (services), indicators",
    "evaluation:action_create": "action-plan form",
    "evaluation:actions_export": "the action plan's follow-up as CSV/XLSX: no person",
    "evaluation:action_edit": "action-plan form",
    "scenarios:list": "scenario parameters and aggregate simulated figures",
    "scenarios:upload": "POST of a scenario file (parameters only)",
    "scenarios:prospective": "prospective variables and hypotheses",
    "scenarios:detail": "scenario parameters and aggregate checks",
    "scenarios:combine": "POST tying a scenario to hypotheses",
    "scenarios:json": "scenario parameters",
    "scenarios:run_start": "POST starting a simulation",
    "scenarios:run": "simulated aggregate figures",
    "scenarios:run_export": "simulated aggregate figures",
    "territories:checklist": "configuration counts of a territory",
    "core:home": "profile, territories and partners; counts only",
    "core:accessibility": "the accessibility statement and its report form",
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
    "accounts:language": "the person's own interface language",
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
    "breakglass:open": "the form and the administrator's own open grants: references and times",
    "breakglass:register": "the grants' register for officers: who, reference, reason",
    "arrears:list": "the landlord's imports: file names, dates and counts",
    "arrears:status": "progress of an import: counts",
    "linkage:merge_undo": "POST",
    "api:schema": "the OpenAPI schema",
    "api:arrears_batches": "the landlord's imports: counts",
    "api:arrears_batch": "one of the landlord's imports: its status and counts",
    "api:signals": "POST only: the landlord pushes its own signals; the answer is counts",
    "api:?": "the API's catch-all answer (404 in JSON)",
}

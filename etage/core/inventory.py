"""The data inventory of the DPIA (data-protection.md, "DPIA material"): for every model of
ETAGE, what it holds, why, who reads it and how long it is kept. ``etage_data_inventory``
writes docs/data-inventory.md from this table and from the models themselves (field names and
labels), and a test fails when a model is added without being declared here, so the
inventory cannot drift from the code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models


class Kind(StrEnum):
    #: Identifies a person directly (names, address, phone, lease reference).
    NOMINATIVE = "nominative"
    #: About one household's case, linked to nominative data by a key (not identifying alone).
    CASE = "case data"
    #: About the staff using ETAGE (accounts, authorship, access log).
    STAFF = "staff data"
    #: Configuration and reference lists: no personal data.
    CONFIGURATION = "configuration"


_PUBLIC_TASK = (
    "Public-interest task of the platform partners (GDPR 6.1.e); art. 9.2.h and "
    "CASF L.121-6-2 for shared social data"
)


@dataclass(frozen=True)
class ModelUse:
    kind: Kind
    purpose: str
    readers: str
    retention: str
    #: Fields that identify or describe a person (shown in bold in the inventory).
    personal_fields: tuple[str, ...] = ()
    legal_basis: str = _PUBLIC_TASK


_CASE_RETENTION = (
    "Active base until 24 months after the last contact or action, then intermediate archive "
    "36 months (reads need a reason), then deleted or anonymised (`etage_retention`)"
)
_SITUATION_READERS = (
    "The situation's sharing group and the platform's coordinators, each within the "
    "permission matrix (`etage/situations/permissions_matrix.py`)"
)
_CONFIG = ModelUse(
    Kind.CONFIGURATION,
    "Configuration of the platforms and reference lists",
    "Everyone concerned; edited by administrators",
    "Kept while in use",
)

_EVAL_READERS = "The evaluators who are members of the project (`etage/evaluation/scope.py`)"
_EVAL_RETENTION = (
    "For the evaluation and its report, then deleted with the project (the report keeps "
    "anonymised counts and pseudonymised excerpts only)"
)
_EVAL_BASIS = (
    "Public-interest task (GDPR 6.1.e: evaluation of the experiment) with the interviewee's "
    "consent recorded for each interview"
)
_EVAL_STAFF = ModelUse(
    Kind.STAFF,
    "Evaluation projects, their members, memos and codebook history",
    _EVAL_READERS,
    _EVAL_RETENTION,
)
_EVAL_DESIGN = ModelUse(
    Kind.CONFIGURATION,
    "Design and findings of the evaluation (codebook, questions, logic model, "
    "recommendations, action plan): no personal data",
    _EVAL_READERS,
    _EVAL_RETENTION,
)
_EVAL_CASES = ModelUse(
    Kind.CASE,
    "Case studies: the snapshot's keyed pseudonym of a situation (never its id), the draw "
    "that chose it, excerpts pinned to its timeline, triangulation judgements",
    _EVAL_READERS,
    _EVAL_RETENTION,
    legal_basis=_EVAL_BASIS,
)
_EVAL_WORKSHOPS = ModelUse(
    Kind.STAFF,
    "Participatory workshops: attendees by stakeholder type (and ETAGE account for live "
    "voting), consent, cards and ballots",
    "The project's evaluators; attendees see the cards and results of their workshop",
    _EVAL_RETENTION,
)

INVENTORY: dict[str, ModelUse] = {
    "core.AccessLogEntry": ModelUse(
        Kind.STAFF,
        "Trace every read, export and change of nominative data (data-protection.md #10)",
        "Data-protection officers",
        "12 months (`ETAGE_ACCESS_LOG_RETENTION_MONTHS`), then purged",
        ("username", "reason"),
        "Legal obligation of security (GDPR 32)",
    ),
    "accounts.User": ModelUse(
        Kind.STAFF,
        "Named individual accounts of the professionals",
        "The person; administrators",
        "While the person works with a platform partner",
        ("username", "first_name", "last_name", "email", "job_title"),
        "Legitimate interest / public task of the employer",
    ),
    "organisations.Organisation": _CONFIG,
    "territories.Territory": _CONFIG,
    "territories.Commune": _CONFIG,
    "territories.Platform": _CONFIG,
    "territories.PlatformMembership": _CONFIG,
    "references.Theme": _CONFIG,
    "references.ActionTemplate": _CONFIG,
    "households.Household": ModelUse(
        Kind.NOMINATIVE,
        "The household supported: size, resources band, contact phone",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("phone",),
    ),
    "households.Person": ModelUse(
        Kind.NOMINATIVE,
        "The people of the household (no national identifier, year of birth only)",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("last_name", "first_name", "birth_year", "last_name_key"),
    ),
    "households.Tenancy": ModelUse(
        Kind.NOMINATIVE,
        "The dwelling and lease concerned",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("lease_reference", "address", "address_key"),
    ),
    "situations.Situation": ModelUse(
        Kind.CASE,
        "One household's episode on one platform: status, pathway dates, orientation, outcome",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("description",),
    ),
    "situations.SituationDifficulty": ModelUse(
        Kind.CASE,
        "Difficulties observed (some are sensitive: health, addiction, violence)",
        "Sharing group's professionals; sensitive codes never to rent recovery or signallers",
        _CASE_RETENTION,
        ("code",),
    ),
    "situations.PathwayEvent": ModelUse(
        Kind.CASE,
        "Append-only pathway of the situation; source of indicators (anonymised before purge)",
        _SITUATION_READERS,
        _CASE_RETENTION,
    ),
    "situations.Consent": ModelUse(
        Kind.CASE,
        "Record of the household's consent to share (scope, date, who recorded it)",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("note",),
        "Consent (CSP L.1110-4) and its proof",
    ),
    "situations.Share": ModelUse(
        Kind.CASE,
        "Which organisation shares the situation, on which legal basis",
        _SITUATION_READERS,
        _CASE_RETENTION,
    ),
    "intake.Referral": ModelUse(
        Kind.CASE,
        "Who signalled the situation, when and why",
        "The referrer (coarse status only) and the sharing group",
        _CASE_RETENTION,
        ("description",),
    ),
    "intake.ImportProfile": _CONFIG,
    "intake.ArrearsImport": ModelUse(
        Kind.STAFF,
        "One landlord extract and what became of it (counts and errors, no file kept)",
        "The landlord's own staff",
        "With the lines it brought",
    ),
    "intake.ArrearsLine": ModelUse(
        Kind.NOMINATIVE,
        "A lease's arrears at one date, as the landlord reported it (early warning)",
        "The landlord's own staff; never shared until a person creates a situation",
        "Landlord follow-up data: purged when no longer needed for early warning",
        ("lease_reference", "tenant_names", "address"),
        "Landlord's legitimate interest in preventing evictions; no sharing without a decision",
    ),
    "intake.LeaseSignal": ModelUse(
        Kind.NOMINATIVE,
        "A complaint or procedure step pushed by the landlord",
        "The landlord's own staff",
        "Landlord follow-up data: purged when no longer needed for early warning",
        ("lease_reference",),
    ),
    "procedures.ProcedureEvent": ModelUse(
        Kind.CASE,
        "Dated facts of the arrears or eviction procedure",
        _SITUATION_READERS + "; milestones to rent recovery",
        _CASE_RETENTION,
    ),
    "procedures.ArrearsBalance": ModelUse(
        Kind.CASE, "The debt over time", _SITUATION_READERS, _CASE_RETENTION
    ),
    "procedures.Aid": ModelUse(
        Kind.CASE, "Financial aids requested and granted", _SITUATION_READERS, _CASE_RETENTION
    ),
    "support.Objective": ModelUse(
        Kind.CASE, "Support plan objectives", _SITUATION_READERS, _CASE_RETENTION, ("title",)
    ),
    "support.PlanAction": ModelUse(
        Kind.CASE, "Actions of the support plan", _SITUATION_READERS, _CASE_RETENTION, ("title",)
    ),
    "support.ActionComment": ModelUse(
        Kind.CASE, "Comments on a plan action", _SITUATION_READERS, _CASE_RETENTION, ("text",)
    ),
    "support.JournalEntry": ModelUse(
        Kind.CASE,
        "Support journal (private to the organisation or shared with the group)",
        "The author's organisation, or the sharing group; never rent recovery",
        _CASE_RETENTION,
        ("text",),
    ),
    "support.Document": ModelUse(
        Kind.NOMINATIVE,
        "Documents attached to the journal",
        "As their journal entry",
        _CASE_RETENTION,
        ("original_name", "file"),
    ),
    "support.Review": ModelUse(
        Kind.CASE, "Periodic reviews of the plan", _SITUATION_READERS, _CASE_RETENTION
    ),
    "support.ReviewProgress": ModelUse(
        Kind.CASE,
        "Progress per objective at a review",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("comment",),
    ),
    "meetings.Meeting": ModelUse(
        Kind.STAFF,
        "Platform meetings (date, place)",
        "Platform coordinators and members",
        "Kept while the platform runs",
    ),
    "meetings.MeetingAttendance": ModelUse(
        Kind.STAFF, "Who was invited and present", "Platform members", "As the meeting"
    ),
    "meetings.AgendaItem": ModelUse(
        Kind.CASE, "A situation on a meeting's agenda", _SITUATION_READERS, _CASE_RETENTION
    ),
    "meetings.Decision": ModelUse(
        Kind.CASE,
        "What the platform decided for a situation",
        _SITUATION_READERS,
        _CASE_RETENTION,
        ("note",),
    ),
    "meetings.SituationFlag": ModelUse(
        Kind.CASE,
        "A request to discuss a situation at the next meeting",
        _SITUATION_READERS,
        _CASE_RETENTION,
    ),
    "notifications.Notification": ModelUse(
        Kind.STAFF,
        "In-app and e-mail notifications (references only, never names)",
        "The recipient",
        "Read notifications deleted after 6 months",
    ),
    "notifications.NotificationPreference": ModelUse(
        Kind.STAFF, "How a person wants to be notified", "The person", "With the account"
    ),
    "notifications.DigestRun": ModelUse(
        Kind.STAFF, "Which daily digest was sent", "Nobody (technical)", "6 months"
    ),
    "core.RetentionReport": ModelUse(
        Kind.CONFIGURATION,
        "Counts of each retention run (never names or references)",
        "Data-protection officers, administrators",
        "Kept as proof of the purges",
    ),
    "alerts.WarningRule": _CONFIG,
    "alerts.Candidate": ModelUse(
        Kind.NOMINATIVE,
        "A lease flagged by the early-warning rules, for the landlord's social workers to qualify",
        "The landlord's own professionals on their territories; nobody else",
        "Deleted with the landlord lines of its lease; kept with the situation it became",
        ("lease_reference", "tenant_names", "address", "dismissal_comment"),
        "Landlord's legitimate interest in preventing evictions; no sharing without a decision",
    ),
    "alerts.CandidateEvent": ModelUse(
        Kind.STAFF,
        "History of a candidate (raised, dismissed, came back, converted)",
        "The landlord's own professionals",
        "With its candidate",
        ("comment",),
    ),
    "api.ApiAccount": ModelUse(
        Kind.CONFIGURATION,
        "The technical account through which an organisation's API tokens act",
        "Administrators",
        "While the organisation uses the API",
    ),
    "api.ApiToken": ModelUse(
        Kind.CONFIGURATION,
        "API tokens (only a hash of the secret is stored)",
        "Administrators",
        "Revoked tokens kept as proof of access",
    ),
    "breakglass.BreakGlassGrant": ModelUse(
        Kind.STAFF,
        "Administrators' emergency access to one situation, with its reason",
        "Data-protection officers",
        "As the access log",
        ("reason",),
        "Legal obligation of security (GDPR 32)",
    ),
    "linkage.LinkReview": ModelUse(
        Kind.NOMINATIVE,
        "An uncertain match between a landlord line and a known household, to review",
        "The landlord's own staff",
        "With the landlord lines of its lease",
        ("lease_reference", "proposals"),
    ),
    "linkage.HouseholdMerge": ModelUse(
        Kind.CASE,
        "Two household records merged (and what moved, so it can be undone)",
        "Platform coordinators",
        _CASE_RETENTION,
        ("reason",),
    ),
    "privacy.AccessRequest": ModelUse(
        Kind.NOMINATIVE,
        "Register of the people's requests (access, erasure, objection...) and the answers",
        "Data-protection officers",
        "5 years after the answer (proof that the request was served)",
        ("person_name", "notes", "answer_file", "answer_file_name"),
        "Legal obligation (GDPR 12 to 22)",
    ),
    "privacy.Erasure": ModelUse(
        Kind.CONFIGURATION,
        "Counts of one erasure (no personal data)",
        "Data-protection officers",
        "As the access-request register",
    ),
    "privacy.LegalHold": ModelUse(
        Kind.CASE,
        "A litigation hold that keeps a situation from being purged",
        "Data-protection officers",
        "Until lifted, then with the situation",
        ("reason",),
        "Legal obligation / defence of legal claims (GDPR 17.3.e)",
    ),
    "privacy.Objection": ModelUse(
        Kind.CASE,
        "A person's objection: no new share of the situation",
        "Data-protection officers; the sharing services check it",
        _CASE_RETENTION,
    ),
    "privacy.RequestReminder": ModelUse(
        Kind.STAFF,
        "Reminders to data-protection officers of requests falling due",
        "The recipient",
        "With the access request",
    ),
    "analytics.IndicatorDefinition": _CONFIG,
    "analytics.IndicatorValue": ModelUse(
        Kind.CONFIGURATION,
        "Anonymous statistics of the evaluation indicators (counts, shares, medians per "
        "period, territory and breakdown; never linked to a situation)",
        "Evaluators; steering (small cells suppressed) and coordinators on their territories",
        "Kept as anonymised statistics after the purges (data-protection.md #12)",
    ),
    "analytics.CostParameter": _CONFIG,
    "analytics.ReferenceRule": _CONFIG,
    "evaluation.Project": _EVAL_STAFF,
    "evaluation.ProjectMember": _EVAL_STAFF,
    "evaluation.Interview": ModelUse(
        Kind.CASE,
        "Register of the evaluation interviews: stakeholder type, organisation, territory, "
        "date, format (never the interviewee's name)",
        _EVAL_READERS,
        _EVAL_RETENTION,
        legal_basis=_EVAL_BASIS,
    ),
    "evaluation.InterviewConsent": ModelUse(
        Kind.CASE,
        "The interviewee's consent (data-protection.md #18): date, form, what was agreed, "
        "withdrawal",
        _EVAL_READERS,
        _EVAL_RETENTION,
        legal_basis=_EVAL_BASIS,
    ),
    "evaluation.Transcript": ModelUse(
        Kind.CASE,
        "Interview transcript, stored only once names, e-mails, phones and addresses were "
        "replaced by pseudonyms (the replacement map is shown once and never stored)",
        _EVAL_READERS,
        _EVAL_RETENTION,
        personal_fields=("text",),
        legal_basis=_EVAL_BASIS,
    ),
    "evaluation.Segment": ModelUse(
        Kind.CASE,
        "Coded excerpts of the pseudonymised transcripts",
        _EVAL_READERS,
        _EVAL_RETENTION,
        personal_fields=("text",),
        legal_basis=_EVAL_BASIS,
    ),
    "evaluation.Memo": _EVAL_STAFF,
    "evaluation.Code": _EVAL_DESIGN,
    "evaluation.CodeEvent": _EVAL_STAFF,
    "evaluation.CaseDraw": _EVAL_CASES,
    "evaluation.CaseStudy": _EVAL_CASES,
    "evaluation.TimelinePin": _EVAL_CASES,
    "evaluation.TriangulationCell": _EVAL_CASES,
    "evaluation.CrossCaseCell": _EVAL_CASES,
    "evaluation.EvaluativeQuestion": _EVAL_DESIGN,
    "evaluation.Recommendation": _EVAL_DESIGN,
    "evaluation.LogicModelNode": _EVAL_DESIGN,
    "evaluation.Workshop": _EVAL_WORKSHOPS,
    "evaluation.WorkshopAttendee": _EVAL_WORKSHOPS,
    "evaluation.Card": _EVAL_WORKSHOPS,
    "evaluation.Vote": _EVAL_WORKSHOPS,
    "evaluation.ActionItem": _EVAL_DESIGN,
    "scenarios.ContextFigure": _CONFIG,
    "scenarios.ProspectiveVariable": _EVAL_DESIGN,
    "scenarios.Hypothesis": _EVAL_DESIGN,
    "scenarios.Scenario": _EVAL_DESIGN,
    "scenarios.ScenarioRun": ModelUse(
        Kind.CONFIGURATION,
        "Runs of the scale-up scenarios: parameters as run, simulated figures (no personal "
        "data; durations come from the pseudonymised snapshot's aggregate curves)",
        _EVAL_READERS,
        _EVAL_RETENTION,
    ),
}


def etage_models() -> list[type[models.Model]]:
    """Every concrete model of the ``etage`` package."""
    return [m for m in apps.get_models() if m.__module__.startswith("etage.")]


def undeclared_models() -> list[str]:
    return sorted(m._meta.label for m in etage_models() if m._meta.label not in INVENTORY)


def unknown_personal_fields() -> list[str]:
    """Declared personal fields that no longer exist on their model."""
    missing = []
    for label, use in INVENTORY.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        missing += [f"{label}.{f}" for f in use.personal_fields if f not in names]
    return missing


def render_markdown() -> str:
    """docs/data-inventory.md, in a stable order (so the test can compare it byte for byte)."""
    lines = [
        "# Data inventory",
        "",
        "Generated by `python manage.py etage_data_inventory` from `etage/core/inventory.py` "
        "and the models; do not edit by hand (a test compares this file with the code).",
        "",
        "Personal fields are in **bold**. Kinds: *nominative* identifies a person; *case data* "
        "is about one household's case through a key; *staff data* is about the people using "
        "ETAGE; *configuration* holds no personal data.",
        "",
    ]
    by_app: dict[str, list[str]] = {}
    for label in sorted(INVENTORY):
        by_app.setdefault(label.split(".")[0], []).append(label)
    for app_label, labels in by_app.items():
        lines += [f"## {apps.get_app_config(app_label).verbose_name} (`{app_label}`)", ""]
        for label in labels:
            use = INVENTORY[label]
            model = apps.get_model(label)
            fields = []
            for f in model._meta.concrete_fields:
                if f.name == "id":
                    continue
                text = f"`{f.name}`"
                fields.append(f"**{text}**" if f.name in use.personal_fields else text)
            lines += [
                f"### {str(model._meta.verbose_name).capitalize()} (`{label}`)",
                "",
                f"- Kind: {use.kind.value}",
                f"- Purpose: {use.purpose}",
                f"- Who reads it: {use.readers}",
                f"- Retention: {use.retention}",
            ]
            if use.kind != Kind.CONFIGURATION:
                lines.append(f"- Legal basis: {use.legal_basis}")
            lines += [f"- Fields: {', '.join(fields)}", ""]
    return "\n".join(lines).rstrip() + "\n"

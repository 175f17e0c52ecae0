"""Controlled vocabularies of the procedure tracker (domain.md §4). Codes are stable: the
evaluation's exports and the deadline rules (:mod:`etage.procedures.deadlines`) use them.
Labels are English msgids; the French legal vocabulary is in the catalogue and in
docs/glossary.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Track(models.TextChoices):
    """The procedure a dated event belongs to. The consent track lives in the pathway
    (:class:`etage.situations.models.PathwayEvent`)."""

    ARREARS = "arrears", _("Rent arrears")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood trouble / squalor")
    RIGHTS_HEALTH = "rights_health", _("Rights and health")


class EventKind(models.TextChoices):
    # Rent-arrears track.
    ARREARS_OBSERVED = "arrears_observed", _("Arrears observed")
    REMINDER = "reminder", _("Payment reminder")
    AMICABLE_PLAN_SIGNED = "amicable_plan_signed", _("Amicable repayment plan signed")
    AMICABLE_PLAN_RESPECTED = "amicable_plan_respected", _("Amicable repayment plan respected")
    AMICABLE_PLAN_BROKEN = "amicable_plan_broken", _("Amicable repayment plan broken")
    BENEFIT_THRESHOLD = (
        "benefit_threshold",
        _("Housing-benefit arrears threshold reached (debt of 2 months of rent)"),
    )
    CAF_REPORTED = "caf_reported", _("Arrears reported to the CAF")
    CAF_PLAN = "caf_plan", _("CAF repayment plan")
    FSL_APPLICATION = "fsl_application", _("FSL application")
    FSL_DECISION = "fsl_decision", _("FSL decision")
    BENEFIT_KEPT = "benefit_kept", _("Housing benefit kept")
    BENEFIT_SUSPENDED = "benefit_suspended", _("Housing benefit suspended")
    CCAPEX_REFERRAL = "ccapex_referral", _("CCAPEX referral by the landlord")
    CCAPEX_OPINION = "ccapex_opinion", _("CCAPEX opinion")
    COMMANDEMENT_DE_PAYER = "commandement_de_payer", _("Formal order to pay (commandement)")
    DSF_REQUESTED = "dsf_requested", _("Social and financial diagnosis (DSF) requested")
    DSF_DELIVERED = "dsf_delivered", _("Social and financial diagnosis (DSF) delivered")
    SUMMONS = "summons", _("Summons to court (assignation)")
    PREFECT_NOTIFIED = "prefect_notified", _("Summons notified to the préfet")
    HEARING = "hearing", _("Court hearing")
    JUDGMENT = "judgment", _("Judgment")
    JUDGMENT_SERVED = "judgment_served", _("Judgment served")
    SCHEDULE_RESPECTED = "schedule_respected", _("Court repayment schedule respected")
    SCHEDULE_BROKEN = "schedule_broken", _("Court repayment schedule broken")
    APPEAL = "appeal", _("Appeal lodged")
    ORDER_TO_LEAVE = "order_to_leave", _("Formal order to leave (commandement de quitter)")
    ENFORCEMENT_JUDGE_DELAY = (
        "enforcement_judge_delay",
        _("Extra time granted by the enforcement judge"),
    )
    POLICE_REQUESTED = "police_requested", _("Request for police assistance")
    POLICE_GRANTED = "police_granted", _("Police assistance granted")
    POLICE_REFUSED = "police_refused", _("Police assistance refused")
    EVICTION_CARRIED_OUT = "eviction_carried_out", _("Eviction carried out")
    LEFT_BEFORE_EVICTION = "left_before_eviction", _("Household left before the eviction")
    PROTOCOL_SIGNED = "protocol_signed", _("Social cohesion protocol signed")
    PROTOCOL_EXTENDED = "protocol_extended", _("Social cohesion protocol extended")
    PROTOCOL_RESPECTED = "protocol_respected", _("Social cohesion protocol respected")
    PROTOCOL_BROKEN = "protocol_broken", _("Social cohesion protocol broken")
    NEW_LEASE_SIGNED = "new_lease_signed", _("New lease signed")
    OVERINDEBTEDNESS_FILED = "overindebtedness_filed", _("Over-indebtedness file deposited")
    OVERINDEBTEDNESS_ADMISSIBLE = (
        "overindebtedness_admissible",
        _("Over-indebtedness file declared admissible"),
    )
    OVERINDEBTEDNESS_PLAN = "overindebtedness_plan", _("Over-indebtedness plan")
    PERSONAL_RECOVERY = "personal_recovery", _("Personal recovery (debts written off)")
    # Neighbourhood / squalor track (then the same judicial chain as the arrears track).
    COMPLAINT = "complaint", _("Neighbourhood complaint")
    LEASE_RULES_REMINDER = "lease_rules_reminder", _("Reminder of the lease rules")
    MEDIATION = "mediation", _("Mediation")
    FORMAL_NOTICE = "formal_notice", _("Formal notice (mise en demeure)")
    HYGIENE_REPORT = "hygiene_report", _("Report by the hygiene service")
    HOME_VISIT = "home_visit", _("Home visit")
    CLEAN_UP = "clean_up", _("Clean-up intervention")
    TERMINATION_SUMMONS = "termination_summons", _("Summons for termination of the lease")
    # Rights / health track.
    RIGHTS_OPENED = "rights_opened", _("Rights opened")
    CARE_REFERRAL = "care_referral", _("Referral to care")
    LEGAL_PROTECTION = "legal_protection", _("Legal protection measure")
    DALO = "dalo", _("DALO application")
    TRANSFER_REQUEST = "transfer_request", _("Transfer request")


E = EventKind

#: The judicial chain after the summons: the arrears procedure and, after a summons for
#: termination, the neighbourhood procedure share it.
JUDICIAL_CHAIN: tuple[EventKind, ...] = (
    E.HEARING,
    E.JUDGMENT,
    E.JUDGMENT_SERVED,
    E.APPEAL,
    E.ORDER_TO_LEAVE,
    E.ENFORCEMENT_JUDGE_DELAY,
    E.POLICE_REQUESTED,
    E.POLICE_GRANTED,
    E.POLICE_REFUSED,
    E.EVICTION_CARRIED_OUT,
    E.LEFT_BEFORE_EVICTION,
)

ARREARS_ONLY: tuple[EventKind, ...] = (
    E.ARREARS_OBSERVED,
    E.REMINDER,
    E.AMICABLE_PLAN_SIGNED,
    E.AMICABLE_PLAN_RESPECTED,
    E.AMICABLE_PLAN_BROKEN,
    E.BENEFIT_THRESHOLD,
    E.CAF_REPORTED,
    E.CAF_PLAN,
    E.FSL_APPLICATION,
    E.FSL_DECISION,
    E.BENEFIT_KEPT,
    E.BENEFIT_SUSPENDED,
    E.CCAPEX_REFERRAL,
    E.CCAPEX_OPINION,
    E.COMMANDEMENT_DE_PAYER,
    E.DSF_REQUESTED,
    E.DSF_DELIVERED,
    E.SUMMONS,
    E.PREFECT_NOTIFIED,
    E.SCHEDULE_RESPECTED,
    E.SCHEDULE_BROKEN,
    E.PROTOCOL_SIGNED,
    E.PROTOCOL_EXTENDED,
    E.PROTOCOL_RESPECTED,
    E.PROTOCOL_BROKEN,
    E.NEW_LEASE_SIGNED,
    E.OVERINDEBTEDNESS_FILED,
    E.OVERINDEBTEDNESS_ADMISSIBLE,
    E.OVERINDEBTEDNESS_PLAN,
    E.PERSONAL_RECOVERY,
)

NEIGHBOURHOOD_ONLY: tuple[EventKind, ...] = (
    E.COMPLAINT,
    E.LEASE_RULES_REMINDER,
    E.MEDIATION,
    E.FORMAL_NOTICE,
    E.HYGIENE_REPORT,
    E.HOME_VISIT,
    E.CLEAN_UP,
    E.TERMINATION_SUMMONS,
)

RIGHTS_HEALTH_ONLY: tuple[EventKind, ...] = (
    E.RIGHTS_OPENED,
    E.CARE_REFERRAL,
    E.LEGAL_PROTECTION,
    E.DALO,
    E.TRANSFER_REQUEST,
)

#: Which tracks each kind may be recorded in; the first is the default.
TRACKS_OF: dict[str, tuple[Track, ...]] = {
    **{k.value: (Track.ARREARS,) for k in ARREARS_ONLY},
    **{k.value: (Track.ARREARS, Track.NEIGHBOURHOOD) for k in JUDICIAL_CHAIN},
    **{k.value: (Track.NEIGHBOURHOOD,) for k in NEIGHBOURHOOD_ONLY},
    **{k.value: (Track.RIGHTS_HEALTH,) for k in RIGHTS_HEALTH_ONLY},
}

#: Kinds listed under each track in the form, in the order a procedure usually runs.
KINDS_OF_TRACK: dict[str, tuple[EventKind, ...]] = {
    Track.ARREARS: tuple(k for k in EventKind if Track.ARREARS in TRACKS_OF[k]),
    Track.NEIGHBOURHOOD: (*NEIGHBOURHOOD_ONLY, *JUDICIAL_CHAIN),
    Track.RIGHTS_HEALTH: RIGHTS_HEALTH_ONLY,
}


class Source(models.TextChoices):
    """Who reported the fact."""

    LANDLORD = "landlord", _("Landlord (agency or rent recovery)")
    BAILIFF = "bailiff", _("Bailiff (commissaire de justice)")
    COURT = "court", _("Court")
    PREFECTURE = "prefecture", _("Préfecture")
    CCAPEX = "ccapex", _("CCAPEX")
    CAF = "caf", _("CAF")
    FSL = "fsl", _("FSL")
    HOUSEHOLD = "household", _("The household")
    PROFESSIONAL = "professional", _("Support professional")
    OTHER = "other", _("Other")


# --- Small, choices-based details of some kinds ------------------------------------------


class LeaseClause(models.TextChoices):
    """What the lease's termination clause gives the tenant after a formal order to pay. The
    2-month period survives only for leases signed before 29 July 2023 whose clause says so."""

    TWO_MONTHS = "two_months", _("Two months")
    SIX_WEEKS = "six_weeks", _("Six weeks, or no period stated")
    UNKNOWN = "unknown", _("Not checked yet")


class JudgmentOutcome(models.TextChoices):
    TIME_TO_PAY = "time_to_pay", _("Time to pay granted, termination suspended")
    TERMINATION = "termination", _("Lease terminated, eviction ordered")
    DISMISSED = "dismissed", _("Claim dismissed")
    OTHER = "other", _("Other decision")


class Decision(models.TextChoices):
    GRANTED = "granted", pgettext_lazy("decision", "Granted")
    REFUSED = "refused", pgettext_lazy("decision", "Refused")
    PARTIAL = "partial", pgettext_lazy("decision", "Partly granted")


class Right(models.TextChoices):
    APL = "apl", _("Housing benefit (APL/AL)")
    RSA = "rsa", _("RSA")
    AAH = "aah", _("AAH")
    CSS = "css", _("Complementary health cover (CSS)")
    PENSION = "pension", _("Pension")
    OTHER = "other", _("Other right")


class ProtectionMeasure(models.TextChoices):
    SAFEGUARD = "safeguard", _("Safeguard of justice (sauvegarde de justice)")
    CURATORSHIP = "curatorship", _("Curatorship (curatelle)")
    GUARDIANSHIP = "guardianship", _("Guardianship (tutelle)")
    SOCIAL_SUPPORT = "social_support", _("Personalised social support measure (MASP)")
    OTHER = "other", _("Other measure")


#: The details each kind accepts (keys of ``ProcedureEvent.details``).
DETAIL_FIELDS: dict[str, tuple[str, ...]] = {
    E.COMMANDEMENT_DE_PAYER: ("lease_clause",),
    E.SUMMONS: ("hearing_on",),
    E.TERMINATION_SUMMONS: ("hearing_on",),
    E.HEARING: ("adjourned_to",),
    E.JUDGMENT: ("judgment_outcome",),
    E.ENFORCEMENT_JUDGE_DELAY: ("until",),
    E.FSL_DECISION: ("decision",),
    E.CCAPEX_OPINION: (),
    E.PROTOCOL_SIGNED: ("months",),
    E.PROTOCOL_EXTENDED: ("months",),
    E.RIGHTS_OPENED: ("right",),
    E.LEGAL_PROTECTION: ("measure",),
}

#: Kinds for which an amount (€) and a number of months of rent make sense.
AMOUNT_KINDS: frozenset[str] = frozenset(
    {
        E.ARREARS_OBSERVED,
        E.AMICABLE_PLAN_SIGNED,
        E.BENEFIT_THRESHOLD,
        E.CAF_REPORTED,
        E.CAF_PLAN,
        E.FSL_APPLICATION,
        E.FSL_DECISION,
        E.CCAPEX_REFERRAL,
        E.COMMANDEMENT_DE_PAYER,
        E.SUMMONS,
        E.JUDGMENT,
        E.PROTOCOL_SIGNED,
        E.OVERINDEBTEDNESS_FILED,
        E.OVERINDEBTEDNESS_PLAN,
    }
)


# --- Aids --------------------------------------------------------------------------------


class AidKind(models.TextChoices):
    FSL_MAINTIEN = "fsl_maintien", _("FSL — help to stay in the dwelling (maintien)")
    CAF_PLAN = "caf_plan", _("CAF repayment plan")
    CCAS = "ccas", _("CCAS financial aid")
    ACTION_LOGEMENT = "action_logement", _("Action Logement aid")
    OTHER = "other", _("Other financial aid")


class AidStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("aid status", "Requested")
    GRANTED = "granted", pgettext_lazy("aid status", "Granted")
    REFUSED = "refused", pgettext_lazy("aid status", "Refused")
    PAID = "paid", pgettext_lazy("aid status", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("aid status", "Cancelled")

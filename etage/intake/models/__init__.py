"""Intake: referrals by people (:mod:`.referrals`) and landlords' data (:mod:`.arrears`):
monthly arrears extracts and the signals they push through the API."""

from etage.intake.models.arrears import (
    ArrearsImport,
    ArrearsLine,
    ImportProfile,
    ImportSource,
    ImportStatus,
    LeaseSignal,
    LinkStatus,
    SignalKind,
)
from etage.intake.models.referrals import (
    Referral,
    ReferralStatus,
    referral_status_of,
    situation_statuses_of,
)

__all__ = [
    "ArrearsImport",
    "ArrearsLine",
    "ImportProfile",
    "ImportSource",
    "ImportStatus",
    "LeaseSignal",
    "LinkStatus",
    "Referral",
    "ReferralStatus",
    "SignalKind",
    "referral_status_of",
    "situation_statuses_of",
]

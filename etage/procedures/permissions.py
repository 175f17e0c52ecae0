"""Who reads and records which procedure track. Access to the situation itself is decided by
:mod:`etage.situations.permissions` (404 outside the scope); this module only narrows it.

- Rent-arrears and neighbourhood tracks, balances and aids are *milestones*: read with
  ``view_milestones`` (rent-recovery officers included, data-protection.md #4); events and
  balances are recorded with ``record_procedure`` (rent recovery is their source).
- The rights and health track (care referral, legal protection, AAH…) reveals health data:
  read with ``view_sensitive`` and recorded with ``record_step`` *and* ``view_sensitive``, so
  only the sharing group's professionals see it (data-protection.md #5).
- Aids are recorded by the support professionals (``record_step``).
"""

from __future__ import annotations

from etage.procedures.choices import Track
from etage.situations.permissions_matrix import Action

_MILESTONE_TRACKS = frozenset({Track.ARREARS.value, Track.NEIGHBOURHOOD.value})


def readable_tracks(actions: frozenset[Action]) -> frozenset[str]:
    tracks: set[str] = set()
    if Action.VIEW_MILESTONES in actions:
        tracks |= _MILESTONE_TRACKS
    if Action.VIEW_SENSITIVE in actions:
        tracks.add(Track.RIGHTS_HEALTH)
    return frozenset(tracks)


def recordable_tracks(actions: frozenset[Action]) -> frozenset[str]:
    tracks: set[str] = set()
    if Action.RECORD_PROCEDURE in actions:
        tracks |= _MILESTONE_TRACKS
    if Action.RECORD_STEP in actions and Action.VIEW_SENSITIVE in actions:
        tracks.add(Track.RIGHTS_HEALTH)
    return frozenset(tracks)


def can_record_balance(actions: frozenset[Action]) -> bool:
    return Action.RECORD_PROCEDURE in actions


def can_read_aids(actions: frozenset[Action]) -> bool:
    return Action.VIEW_MILESTONES in actions


def can_record_aids(actions: frozenset[Action]) -> bool:
    return Action.RECORD_STEP in actions and Action.VIEW_MILESTONES in actions

"""What the meeting services announce (see :mod:`etage.situations.signals` for the rules)."""

from django.dispatch import Signal

#: The platform recorded a decision on an agenda item: ``decision`` (Decision), ``actor``.
decision_recorded = Signal()

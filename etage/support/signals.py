"""What the support services announce (see :mod:`etage.situations.signals` for the rules)."""

from django.dispatch import Signal

#: A plan action was given to an organisation or a person — created, or its organisation or
#: person in charge changed: ``action`` (PlanAction) and ``actor`` (User).
plan_action_assigned = Signal()

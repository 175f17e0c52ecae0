"""What the situation services announce, so that other apps (notifications) react without
the services knowing them. Sent inside the service's transaction, after its checks: a
receiver that has side effects defers them with ``transaction.on_commit``, so that a refused
or rolled-back step announces nothing."""

from django.dispatch import Signal

#: An organisation joined a situation's sharing group: ``share`` (Share), ``actor`` (User).
#: Sent for every share created: origin at referral, consent, CASF, CCAPEX, care team, and the
#: referent organisation named at orientation.
share_granted = Signal()

#: A pathway step was recorded by ``situation_transition``: ``event`` (PathwayEvent) and
#: ``actor`` (User).
pathway_step_recorded = Signal()

"""The evaluation workspace (issue 9; evaluation.md parts B, C, D and F).

Everything here is pseudonymised evaluation material: interview transcripts are stored only
after names were replaced (the replacement map is shown once and never stored), case studies
point at the snapshot's keyed pseudonyms (``case_id``), never at a situation. Who reaches what
is decided by :mod:`etage.evaluation.scope` alone.
"""

from etage.evaluation.models.cases import (
    CaseDraw,
    CaseStudy,
    CrossCaseCell,
    TimelinePin,
    TriangulationCell,
)
from etage.evaluation.models.coding import (
    Code,
    CodeEvent,
    Memo,
    Segment,
)
from etage.evaluation.models.interviews import Interview, InterviewConsent, Transcript
from etage.evaluation.models.matrix import (
    EvaluativeQuestion,
    LogicModelNode,
    Recommendation,
)
from etage.evaluation.models.project import Project, ProjectMember
from etage.evaluation.models.workshops import ActionItem, Card, Vote, Workshop, WorkshopAttendee

__all__ = [
    "ActionItem",
    "Card",
    "CaseDraw",
    "CaseStudy",
    "Code",
    "CodeEvent",
    "CrossCaseCell",
    "EvaluativeQuestion",
    "Interview",
    "InterviewConsent",
    "LogicModelNode",
    "Memo",
    "Project",
    "ProjectMember",
    "Recommendation",
    "Segment",
    "TimelinePin",
    "Transcript",
    "TriangulationCell",
    "Vote",
    "Workshop",
    "WorkshopAttendee",
]

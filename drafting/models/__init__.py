"""Every table of drafting, importable from one place (``from drafting.models import Suggestion``).

The models live in their rooms (``drafting/knowledge/``, ``drafting/experiment/``,
``drafting/suggestions/``); the impact report's fact tables live here, in ``impact.py``.
"""

from drafting.answers.models import BankAnswer
from drafting.experiment.models import Arm, CaseArm, ExperimentPeriod
from drafting.knowledge.models import (
    Embedding,
    KnowledgeArticle,
    Passage,
    Posting,
    QuestionVector,
    SearchDocument,
)
from drafting.suggestions.models import Suggestion

from .impact import ImpactCase, ImpactDraft
from .impact_rollups import (
    ImpactAdoptionRollup,
    ImpactHandlingRollup,
    ImpactLatencyRollup,
    ImpactSatisfactionRollup,
)

__all__ = [
    "Arm",
    "BankAnswer",
    "CaseArm",
    "Embedding",
    "ExperimentPeriod",
    "ImpactAdoptionRollup",
    "ImpactCase",
    "ImpactDraft",
    "ImpactHandlingRollup",
    "ImpactLatencyRollup",
    "ImpactSatisfactionRollup",
    "KnowledgeArticle",
    "Passage",
    "Posting",
    "QuestionVector",
    "SearchDocument",
    "Suggestion",
]

"""The meaning of every learning-society title: versioned criteria sets, their loader and a
pure engine that scores one subject and explains the result.

No Flask, no database: the registry gathers facts (with SQL aggregates) and calls in here.
"""

from __future__ import annotations

from criteria.engine import evaluate, evaluation_order, is_passed, select_set
from criteria.errors import CriteriaError
from criteria.explain import KIND_LABELS, explain, explain_overall, explain_result
from criteria.loader import SETS_DIR, load_all, load_set, parse_set
from criteria.model import (
    ACTIVITY_CATEGORIES,
    ROLLUP_MEMBERS,
    SUBJECT_KINDS,
    ActivityParams,
    Attested,
    AttestedParams,
    CombineParams,
    CriteriaSet,
    Criterion,
    CriterionResult,
    Fact,
    Level,
    Outcome,
    Params,
    PassRule,
    Reason,
    RollupParams,
    Share,
    Threshold,
)
from criteria.rules import KINDS, kind
from criteria.scoring import clamp, members_needed, points_for, share_value
from criteria.targets import (
    TARGETS_DIR,
    TargetIndicator,
    TargetPlan,
    load_target_file,
    load_targets,
    parse_targets,
)

__all__ = [
    "ACTIVITY_CATEGORIES",
    "KINDS",
    "KIND_LABELS",
    "ROLLUP_MEMBERS",
    "SETS_DIR",
    "SUBJECT_KINDS",
    "TARGETS_DIR",
    "ActivityParams",
    "Attested",
    "AttestedParams",
    "CombineParams",
    "CriteriaError",
    "CriteriaSet",
    "Criterion",
    "CriterionResult",
    "Fact",
    "Level",
    "Outcome",
    "Params",
    "PassRule",
    "Reason",
    "RollupParams",
    "Share",
    "TargetIndicator",
    "TargetPlan",
    "Threshold",
    "clamp",
    "evaluate",
    "evaluation_order",
    "explain",
    "explain_overall",
    "explain_result",
    "is_passed",
    "kind",
    "load_all",
    "load_set",
    "load_target_file",
    "load_targets",
    "members_needed",
    "parse_set",
    "parse_targets",
    "points_for",
    "select_set",
    "share_value",
]

"""Which exit criteria a deal misses. Pure: plain data in, plain data out, no Django.

A criterion is one of four kinds (see ``CriterionKind`` in ``choices.py``):
``next_step`` (an open activity due in the future), ``question`` (answered "yes"),
``field`` (a deal field is filled) and ``milestone`` (a closing milestone has its planned
or actual date). The ORM layer builds ``DealFacts`` once and translates the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Criterion:
    id: int
    kind: str
    label: str = ""
    field: str = ""
    milestone: str = ""
    milestone_date: str = ""


@dataclass(frozen=True)
class DealFacts:
    now: datetime
    next_step_at: datetime | None = None
    answers: Mapping[int, str] = field(default_factory=dict)
    filled_fields: frozenset[str] = frozenset()
    milestones: Mapping[str, date | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Missing:
    criterion_id: int
    code: str
    kind: str
    label: str = ""
    field: str = ""
    milestone: str = ""
    milestone_date: str = ""


def is_met(criterion: Criterion, facts: DealFacts) -> bool:
    if criterion.kind == "next_step":
        return facts.next_step_at is not None and facts.next_step_at > facts.now
    if criterion.kind == "question":
        return facts.answers.get(criterion.id) == "yes"
    if criterion.kind == "field":
        return criterion.field in facts.filled_fields
    if criterion.kind == "milestone":
        key = f"{criterion.milestone}_{criterion.milestone_date or 'planned'}"
        return facts.milestones.get(key) is not None
    raise ValueError(f"unknown criterion kind: {criterion.kind!r}")


_CODES = {
    "next_step": "next_step_missing",
    "question": "question_not_yes",
    "field": "field_empty",
    "milestone": "milestone_date_missing",
}


def missing_criteria(criteria: Iterable[Criterion], facts: DealFacts) -> list[Missing]:
    """The criteria not met, in the order given."""
    out: list[Missing] = []
    for c in criteria:
        if not is_met(c, facts):
            out.append(
                Missing(
                    criterion_id=c.id,
                    code=_CODES[c.kind],
                    kind=c.kind,
                    label=c.label,
                    field=c.field,
                    milestone=c.milestone,
                    milestone_date=c.milestone_date,
                )
            )
    return out


@dataclass(frozen=True)
class StageRef:
    id: int
    order: int
    kind: str  # open / won / lost
    pipeline_id: int


def stages_to_check(
    current: StageRef, target: StageRef, pipeline_stages: Iterable[StageRef]
) -> list[int]:
    """Stages whose exit criteria a move from ``current`` to ``target`` must satisfy.

    Moving forward leaves the current stage and every open stage it skips, so each of
    them is checked (skipping a stage must not skip its rules). Moving back to an earlier
    stage, or to a lost stage, checks nothing. Leaving a closed stage (reopening) checks
    nothing either.
    """
    if current.id == target.id or current.kind != "open" or target.kind == "lost":
        return []
    if target.kind == "open" and target.order <= current.order:
        return []
    ids = []
    for s in sorted(pipeline_stages, key=lambda s: (s.order, s.id)):
        if s.kind != "open" or s.order < current.order:
            continue
        if target.kind == "open" and s.order >= target.order:
            continue
        ids.append(s.id)
    if current.id not in ids:
        ids.insert(0, current.id)
    return ids

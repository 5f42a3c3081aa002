"""Readable names of the probability model's features (for the deal page)."""

from django.utils.translation import gettext_lazy as _

FACTORS = {
    "stage_position": _("stage in the pipeline"),
    "time_in_stage": _("time in the current stage"),
    "deal_age": _("age of the deal"),
    "days_since_activity": _("days since the last activity"),
    "has_activity": _("any activity at all"),
    "next_step": _("a next step is scheduled"),
    "next_step_overdue": _("the next step is overdue"),
    "answers_yes": _("control questions answered yes"),
    "answers_no": _("control questions answered no"),
    "milestones_planned": _("milestones planned"),
    "decision_date": _("decision date known"),
    "planned_date_passed": _("the planned date has passed"),
    "milestones_done": _("milestones reached"),
    "stage_moves": _("stage moves so far"),
    "amount": _("amount"),
    "amount_missing": _("no amount"),
    "owner": _("owner's record"),
    "source": _("source"),
    "pipeline": _("pipeline"),
    "stage_history": _("how deals left this stage before"),
    "stage": _("stage"),
    "stage_prior": _("stage win rate"),
}


def factor_label(name: str) -> str:
    return str(FACTORS.get(name, name.replace("_", " ")))

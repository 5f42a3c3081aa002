"""Error codes of sales plans: the UI and the API give the same message for the same code."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_found": _("Not found."),
    "forbidden": _("Only a head of sales or an administrator may set plans."),
    "bad_period": _("The period must look like 2026-03 (a month) or 2026-Q1 (a quarter)."),
    "bad_amount": _("The plan must be a number, for example 1500000 or 1 500 000,50."),
    "negative": _("A plan cannot be negative."),
    "too_large": _("The plan is too large."),
    "bad_deals": _("The number of deals must be a whole number, zero or more."),
    "bad_currency": _("This currency is not in use."),
    "rep_not_in_team": _("This rep is not a member of the team."),
}


class PlanError(Exception):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, self.code))

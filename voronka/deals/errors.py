"""Error codes of the deals domain: the UI and the API return the same code and message."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "stage_other_pipeline": _("The stage belongs to another pipeline."),
    "criteria_missing": _("The deal cannot leave the stage yet: something is missing."),
    "override_not_allowed": _("Only a head of sales or an administrator may override stage rules."),
    "override_reason_required": _("Give a reason for overriding the stage rules."),
    "won_needs_contract_date": _("A won deal needs the date the contract was signed."),
    "lost_needs_reason": _("Choose the reason the deal was lost."),
    "lost_reason_inactive": _("This lost reason is no longer in use."),
    "conflict": _(
        "Someone else changed this deal while you were editing it. "
        "Reload the page to see their changes, then apply yours again."
    ),
    "not_found": _("Not found."),
}


class DealError(Exception):
    def __init__(self, code: str, missing=None, fields=None):
        self.code = code
        self.missing = missing or []
        self.fields = fields or {}
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, self.code))

"""A small organisation history built through the services (for view and job tests)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from voronka.core.testing import make_deal
from voronka.deals.models import LostReason
from voronka.deals.services import deal_move


def build_history(head, reps, stages, n_closed=40, n_open=12, won_every=2):
    """Deals of ``reps`` over the last ~200 days: closed ones (every ``won_every``-th won),
    and open ones spread over the open stages. Returns the open deals."""
    now = timezone.now()
    reason = LostReason.objects.first()
    open_stages = [stages["qualification"], stages["probability"], stages["closing"]]
    for i in range(n_closed):
        created = now - timedelta(days=200 - i * 4)
        owner = reps[i % len(reps)]
        deal = make_deal(
            owner=owner,
            stage=stages["qualification"],
            by=owner,
            title=f"Closed {i}",
            amount=Decimal(100000 + 1000 * i),
            created_at=created,
        )
        when = created + timedelta(days=10 + i % 7)
        if i % won_every == 0:
            deal_move(
                deal,
                stages["won"],
                head,
                override_reason="test history",
                contract_actual=when.date(),
                when=when,
            )
        else:
            deal_move(
                deal,
                stages["lost"],
                head,
                override_reason="test history",
                lost_reason=reason,
                when=when,
            )
    out = []
    for i in range(n_open):
        owner = reps[i % len(reps)]
        out.append(
            make_deal(
                owner=owner,
                stage=open_stages[i % 3],
                by=owner,
                title=f"Open {owner.username} {i}",
                amount=Decimal(50000 + 5000 * i) if i % 5 else Decimal(0),
                created_at=now - timedelta(days=5 + i),
            )
        )
    return out


def this_month() -> str:
    d = timezone.localdate()
    return f"{d.year}-{d.month:02d}"


def this_quarter() -> str:
    d = timezone.localdate()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def today() -> date:
    return timezone.localdate()

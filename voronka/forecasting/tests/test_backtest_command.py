"""``manage.py forecast_backtest`` on the demo data: report, JSON, no future leaks, bad input."""

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from voronka.deals.models import Deal, StageChange

pytestmark = pytest.mark.django_db

PERIOD_KEYS = {"start", "end", "expected", "p10", "p50", "p90", "actual", "baseline"}
DEAL_KEYS = {"id", "external_id", "as_of", "p", "p_stage_default", "outcome", "settled"}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args) -> str:
    out = io.StringIO()
    call_command("forecast_backtest", *args, stdout=out)
    return out.getvalue()


def midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def test_backtest_on_demo_data(tmp_path):
    call_command("demo_seed", deals=300, stdout=io.StringIO())
    today = timezone.now().date()
    start, end = today - timedelta(days=335), today - timedelta(days=30)
    path = tmp_path / "bt.json"
    text = run("--start", str(start), "--end", str(end), "--period", "month", "--json", str(path))

    for needle in ("Brier", "log loss", "reliability (model)", "MAPE", "P10-P90"):
        assert needle in text
    assert "reliability (fixed stage probability)" in text

    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"periods", "deals", "metrics", "params", "currency"} <= set(data)
    assert data["params"]["period"] == "month"
    periods = data["periods"]
    assert 8 <= len(periods) <= 11
    for p in periods:
        assert set(p) >= PERIOD_KEYS
        assert p["p10"] <= p["p50"] <= p["p90"]
        ps, pe = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
        assert start <= ps < end and pe <= today
        # The actual is what was really won inside the period.
        won = Deal.objects.filter(
            stage__kind="won", closed_at__gte=midnight(ps), closed_at__lt=midnight(pe)
        )
        assert p["actual"] == pytest.approx(float(sum(d.amount for d in won)))

    rows = data["deals"]
    assert rows and all(set(r) >= DEAL_KEYS for r in rows)
    deals = Deal.objects.in_bulk({r["id"] for r in rows})
    assert len(deals) == len({r["id"] for r in rows})  # every row is a real, live deal
    changes: dict[int, list] = {}
    for deal_id, to_kind, at in StageChange.objects.filter(deal_id__in=deals).values_list(
        "deal_id", "to_stage__kind", "changed_at"
    ):
        changes.setdefault(deal_id, []).append((at, to_kind))
    for r in rows:
        deal = deals[r["id"]]
        cut = midnight(date.fromisoformat(r["as_of"]))
        assert 0.0 <= r["p"] <= 1.0 and r["outcome"] in (0, 1)
        assert r["external_id"] == deal.external_id
        # Scored only if it existed and was open at the cut: nothing from after it.
        assert deal.created_at <= cut
        before = sorted(c for c in changes[deal.pk] if c[0] <= cut)
        assert before[-1][1] == "open"
        if r["outcome"] == 1:
            assert deal.stage.kind == "won" and deal.closed_at > cut
        if deal.closed_at is not None:
            assert cut < deal.closed_at
    m = data["metrics"]
    assert m["model"]["n"] > 0 and 0 <= m["model"]["brier"] <= 1
    assert 0 <= m["p10_p90_coverage"] <= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-05-01", "--end", "2025-01-01"], "after"),
        (["--start", "2025-13-01", "--end", "2025-12-01"], "not a date"),
        (["--start", "yesterday", "--end", "2025-12-01"], "not a date"),
        (["--start", "2025-01-01", "--end", "2025-12-01", "--period", "week"], "month"),
        (["--start", "2025-01-01", "--end", "2025-12-01", "--pipeline", "Nope"], "Nope"),
    ],
)
def test_bad_arguments(args, message, pipeline, tmp_path):
    path = tmp_path / "x.json"
    with pytest.raises(CommandError, match=message):
        run(*args, "--json", str(path))
    assert not path.exists()


def test_no_deals_or_no_finished_period(pipeline, stages, rep):
    with pytest.raises(CommandError, match="no deals"):
        run("--start", "2025-01-01", "--end", "2025-12-01")
    from voronka.core.testing import make_deal

    make_deal(owner=rep, stage=stages["qualification"])
    future = timezone.now().date() + timedelta(days=40)
    with pytest.raises(CommandError, match="is over"):
        run("--start", str(future), "--end", str(future + timedelta(days=90)))
    # Months that are over but began before the only deal existed: nothing to replay.
    past = timezone.now().date() - timedelta(days=200)
    with pytest.raises(CommandError, match="no deal was known"):
        run("--start", str(past), "--end", str(past + timedelta(days=120)))


def test_a_history_in_another_currency_is_replayed_in_it(pipeline, stages, rep, settings):
    """A file in dollars imported into an install kept in roubles: with no deal in roubles
    the replay takes the currency most deals are in; once the main currency has deals,
    it is the main one again (another one only with --currency)."""
    from voronka.core.testing import make_deal
    from voronka.forecasting.management.commands.forecast_backtest import _history_currency

    settings.VORONKA_DEFAULT_CURRENCY = "RUB"
    assert _history_currency(None) == "RUB"  # no deals at all
    for _ in range(2):
        make_deal(owner=rep, stage=stages["qualification"], currency="USD")
    make_deal(owner=rep, stage=stages["qualification"], currency="EUR")
    assert _history_currency(None) == "USD"
    make_deal(owner=rep, stage=stages["qualification"], currency="RUB")
    assert _history_currency(None) == "RUB"
    assert _history_currency([pipeline.pk]) == "RUB"

"""``manage.py forecast_refresh``: recompute and store the forecast now (what the background
job does), and print how long it took."""

from django.core.management.base import BaseCommand, CommandError

from voronka.forecasting.compute import compute_forecast
from voronka.forecasting.models import RunStatus


class Command(BaseCommand):
    help = "Fit the forecast models on the whole history and store the forecast of every scope."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--sims", type=int, default=4000)
        parser.add_argument(
            "--backtest",
            choices=("auto", "always", "never"),
            default="auto",
            help="replay the last months too (auto: when the stored replay is a week old)",
        )

    def handle(self, *args, **opts):
        if opts["sims"] < 100:
            raise CommandError("--sims must be at least 100")
        bt = {"auto": None, "always": True, "never": False}[opts["backtest"]]
        run = compute_forecast(seed=opts["seed"], sims=opts["sims"], backtest=bt)
        if run.status != RunStatus.DONE:
            raise CommandError(f"the forecast failed: {run.error}")
        self.stdout.write(
            f"Forecast run {run.pk}: {run.n_deals} deals, {run.n_open} open, {run.seconds:.1f} s."
        )

"""``manage.py demo_seed``: a deterministic demo base (a year of a sales team's history)."""

from django.core.management.base import BaseCommand, CommandError

from voronka.deals.models import Deal
from voronka.web.management.demo import DemoOptions, seed_demo


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: an admin, a head of sales and six reps, two "
        "pipelines and a year of deals, activities, contacts and companies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=1500, help="number of deals (1500)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any deal exists already"
        )
        parser.add_argument("--lang", choices=["ru", "en"], default="ru", help="language (ru)")
        parser.add_argument(
            "--open-share",
            type=float,
            default=DemoOptions.open_share,
            help=f"share of deals still open at the end ({DemoOptions.open_share})",
        )
        parser.add_argument(
            "--activities-per-deal",
            type=float,
            default=3.0,
            help="average activities per deal, 1 to 5 (3)",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="skip field-history rows (faster; stage changes are always written)",
        )

    def handle(self, *args, **opts):
        if opts["if_empty"] and Deal.all_objects.exists():
            self.stdout.write("Deals exist already: demo data not added.")
            self._print_existing_demo_logins()
            return
        if opts["deals"] < 0:
            raise CommandError("--deals must not be negative")
        if not 0.0 <= opts["open_share"] <= 1.0:
            raise CommandError("--open-share must be between 0 and 1")
        options = DemoOptions(
            deals=opts["deals"],
            seed=opts["seed"],
            lang=opts["lang"],
            open_share=opts["open_share"],
            activities_per_deal=opts["activities_per_deal"],
            history=not opts["no_history"],
        )
        result = seed_demo(options, log=self.stdout.write)
        from django.db import connection

        from voronka.core.sqlite3.base import refresh_statistics
        from voronka.dedupe.services import scan_run

        for kind in ("contact", "company"):  # matching keys and the duplicates review queue
            scan_run(kind)
        refresh_statistics(connection)  # the query planner's, for the base just loaded
        counts = result.counts
        self.stdout.write(
            f"Demo data created in {result.seconds:.1f} s: "
            f"{counts.get('deal', 0)} deals, {counts.get('activity', 0)} activities, "
            f"{counts.get('stagechange', 0)} stage changes, {counts.get('company', 0)} companies, "
            f"{counts.get('contact', 0)} contacts "
            f"({counts.get('planted_duplicate_contacts', 0)} planted duplicates), "
            f"{counts.get('sales_plans', 0)} sales plans."
        )
        if opts["verbosity"] >= 2:
            for name, seconds in sorted(result.timings.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  {name:<24} {counts.get(name, 0):>8} rows {seconds:7.1f} s")
        self.stdout.write("")
        self.stdout.write("Demo logins (demo data only; change them before real use):")
        for username, password, role, created in result.credentials:
            note = "" if created else "  (existing user: password not changed)"
            self.stdout.write(f"  {username:<6} {password:<12} {role}{note}")

    def _print_existing_demo_logins(self):
        """Remind of the demo logins whose demo password still works."""
        from voronka.accounts.models import User

        from ..demo_words import PEOPLE

        rows = []
        for username, role, *_names in PEOPLE:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is not None and user.check_password(f"demo-{username}"):
                rows.append((username, f"demo-{username}", role))
        if rows:
            self.stdout.write("Demo logins (demo data only; change them before real use):")
            for username, password, role in rows:
                self.stdout.write(f"  {username:<6} {password:<12} {role}")

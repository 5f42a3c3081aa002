"""Forecast page benchmark: the stored forecast served over real HTTP on a big base.

Builds (or reuses) a base with ``manage.py demo_seed`` (100,000 deals, 10,000 open by
default), recomputes the forecast once with ``manage.py forecast_refresh`` (timed: this is
the background job's retrain and forecast of every scope), sets plans for every scope,
serves the app with waitress (production settings) and times ``/forecast/`` for each
period and scope the head of sales and the administrator may pick. Prints n, median and
p95 in ms per user; the target of issue 4 is p95 <= 300 ms.

    .venv/bin/python bench/forecast/page.py                 # SQLite in bench/results/
    .venv/bin/python bench/forecast/page.py --reuse         # keep the base and the run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_fc_bench \\
        .venv/bin/python bench/forecast/page.py

Not a test: it prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import pages as P  # noqa: E402

DEFAULT_SQLITE = P.RESULTS / "forecast_page.sqlite3"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--deals", type=int, default=100_000)
    p.add_argument("--open", type=int, default=None, help="open deals (default: deals / 10)")
    p.add_argument("--activities", type=int, default=None, help="(default: 3 per deal)")
    p.add_argument("--requests", type=int, default=60, help="timed requests per user (60)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--reuse", action="store_true", help="reuse the base and its forecast")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def set_plans(run) -> None:
    """A plan for every team and rep and every period of the run (as a head would)."""
    from voronka.accounts.models import User
    from voronka.plans.services import plan_set

    admin = (
        User.objects.filter(role="admin").order_by("pk").first()
        or User.objects.filter(is_superuser=True).first()
    )
    for key, scopes in run.results.get("periods", {}).items():
        for scope, r in scopes.items():
            kind, _, ident = scope.partition(":")
            if kind == "all":
                continue
            amount = round((r.get("expected") or 0) * 1.1, 2)
            team_id = int(ident) if kind == "team" else User.objects.get(pk=int(ident)).team_id
            if team_id is None:
                continue
            user_id = int(ident) if kind == "user" else None
            plan_set(by=admin, team_id=team_id, user_id=user_id, period=key, amount=str(amount))


def urls_for(user, run, n: int, seed: int) -> list[str]:
    import random

    from voronka.forecasting.selectors import scopes_for

    rng = random.Random(seed)
    periods = list(run.results.get("periods", {}))
    scopes = [s.key for s in scopes_for(user)]
    return [f"/forecast/?period={rng.choice(periods)}&scope={rng.choice(scopes)}" for _ in range(n)]


def main(argv=None) -> int:
    args = parse_args(argv)
    P.RESULTS.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_SQLITE}"
    cfg = P.db_config(url)
    env = P.server_env(url)
    vendor = "sqlite" if cfg["ENGINE"].endswith("sqlite3") else "postgresql"
    print(f"Database: {vendor} ({cfg['NAME']})")
    reuse = args.reuse and P.base_exists(cfg)
    if reuse:
        P.manage(env, "migrate", "--noinput", "-v", "0")
        print("Reusing the existing base.")
    else:
        P.wipe(cfg)
        P.build(env, args)
    if vendor == "postgresql":
        P.pg_analyze(cfg)
    P.manage(env, "collectstatic", "--noinput", "-v", "0")

    P.setup_django(env)
    from voronka.accounts.models import User
    from voronka.forecasting.selectors import latest_run

    if not reuse or latest_run() is None:
        t0 = time.perf_counter()
        out = P.manage(env, "forecast_refresh", "--backtest", "never")
        print(f"forecast_refresh: {time.perf_counter() - t0:.1f} s wall. {out.strip()}")
    run = latest_run()
    set_plans(run)
    print(
        f"Forecast run: {run.n_deals} deals, {run.n_open} open, "
        f"{len(next(iter(run.results['periods'].values())))} scopes per period."
    )

    port = P.free_port()
    server = P.start_server(env, port, args.threads)
    rows = []
    try:
        for role in ("head", "admin"):
            user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
            if user is None:
                continue
            client = P.Client(port, session_cookie(user))
            urls = urls_for(user, run, args.warmup + args.requests, args.seed)
            times, statuses = [], {}
            for i, u in enumerate(urls):
                status, _size, ms = client.get(u)
                if i < args.warmup:
                    continue
                statuses[status] = statuses.get(status, 0) + 1
                times.append(ms)
            rows.append((role, len(times), statistics.median(times), P.p95(times), statuses))
    finally:
        P.stop_server(server)
    print()
    print(f"{'forecast page as':<18}{'n':>4}{'median ms':>11}{'p95 ms':>9}  status")
    for role, n, med, p95, st in rows:
        status = ", ".join(f"{k}×{v}" for k, v in sorted(st.items()))
        print(f"{role:<18}{n:>4}{med:>11.1f}{p95:>9.1f}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

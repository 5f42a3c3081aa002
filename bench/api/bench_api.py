"""API and export benchmark: the API deal list (pages of 100, filtered) and the XLSX export
of every deal, over real HTTP on the 100,000-deal base of the page benchmark.

Uses bench/pages.py's base (``manage.py demo_seed --deals``; same database files, so
``--reuse`` skips the build when the page benchmark already made it), serves it with
waitress in a subprocess with production settings, authenticates the API with a personal
token of the head of sales (who sees every deal) and the export with their session.
Prints: what, n, median ms, p95 ms, max ms.

    .venv/bin/python bench/api/bench_api.py --reuse
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_bench \\
        .venv/bin/python bench/api/bench_api.py --reuse

Not a test: it prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import http.client
import io
import random
import statistics
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pages  # noqa: E402  (bench/pages.py: base building and the server)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--deals", type=int, default=100_000, help="deals in the base (100000)")
    p.add_argument("--requests", type=int, default=100, help="timed API requests per kind")
    p.add_argument("--warmup", type=int, default=10, help="untimed API requests per kind")
    p.add_argument("--exports", type=int, default=3, help="timed XLSX exports (3)")
    p.add_argument("--reuse", action="store_true", help="reuse the existing base if present")
    p.add_argument("--threads", type=int, default=4, help="waitress threads (4)")
    p.add_argument("--seed", type=int, default=1, help="seed of the base and of the picks")
    p.add_argument(
        "--no-analyze", action="store_true", help="SQLite: time without planner statistics"
    )
    return p.parse_args(argv)


def sqlite_analyze(cfg: dict) -> None:
    """Planner statistics, as PostgreSQL's autovacuum keeps them after a bulk load: without
    them SQLite walks an owner's every deal instead of the owner-and-stage index."""
    import sqlite3

    with sqlite3.connect(pages.sqlite_path(cfg)) as conn:
        conn.execute("ANALYZE")


def api_plan(n: int, seed: int) -> dict[str, list[str]]:
    from voronka.accounts.models import User
    from voronka.deals.setup import ensure_default_pipeline

    rng = random.Random(seed)
    pipeline = ensure_default_pipeline()
    stages = list(
        pipeline.stages.filter(kind="open").order_by("order").values_list("pk", flat=True)
    )
    reps = list(User.objects.filter(role="rep").order_by("username").values_list("pk", flat=True))
    words = ["Вектор", "Альфа", "Поставка", "Гранит", "Сервис", "Орион", "Техно"]

    def filtered():
        params = [("page_size", 100), ("owner", rng.choice(reps))]
        params += [("stage", s) for s in rng.sample(stages, min(2, len(stages)))]
        params += [("amount_min", rng.choice([50000, 100000, 300000])), ("sort", "-amount")]
        return "/api/deals/?" + urlencode(params)

    def page_deep():
        return "/api/deals/?" + urlencode({"page_size": 100, "page": rng.randint(1, 50)})

    return {
        "API list, page of 100": ["/api/deals/?page_size=100"] * n,
        "API list, filtered": [filtered() for _ in range(n)],
        "API list, search": [
            "/api/deals/?" + urlencode({"page_size": 100, "q": rng.choice(words)}) for _ in range(n)
        ],
        "API list, pages 1-50": [page_deep() for _ in range(n)],
    }


class Http:
    def __init__(self, port: int, headers: dict):
        self.port = port
        self.headers = {**headers, "Connection": "keep-alive", "Accept-Language": "ru"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, url: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.conn.request("GET", url, headers=self.headers)
            resp = self.conn.getresponse()
            body = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            started = time.perf_counter()
            self.conn.request("GET", url, headers=self.headers)
            resp = self.conn.getresponse()
            body = resp.read()
        elapsed = (time.perf_counter() - started) * 1000.0
        if resp.status >= 300:
            sys.exit(f"{url} answered {resp.status}: {body[:300]!r}")
        return resp.status, body, elapsed


def summary(what: str, times: list[float]) -> dict:
    return {
        "what": what,
        "n": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": pages.p95(times),
        "max_ms": max(times),
    }


def xlsx_rows(body: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    return sheet.count(b"<row ") - 1


def main(argv=None) -> int:
    args = parse_args(argv)
    pages.RESULTS.mkdir(parents=True, exist_ok=True)
    url = pages.database_url()
    cfg = pages.db_config(url)
    env = pages.server_env(url)
    vendor = "sqlite" if cfg["ENGINE"].endswith("sqlite3") else "postgresql"
    print(f"Database: {vendor} ({cfg['NAME']})")
    if args.reuse and pages.base_exists(cfg):
        pages.manage(env, "migrate", "--noinput", "-v", "0")
        print("Reusing the existing base.")
    else:
        pages.wipe(cfg)
        build_args = argparse.Namespace(
            deals=args.deals, open=None, activities=None, seed=args.seed
        )
        print(f"Base built in {pages.build(env, build_args):.0f} s.")
    if vendor == "postgresql":
        pages.pg_analyze(cfg)
    elif not args.no_analyze:
        sqlite_analyze(cfg)

    pages.setup_django(env)
    from voronka.accounts.models import User
    from voronka.accounts.services import api_token_create
    from voronka.deals.models import Deal

    head = User.objects.filter(role="head").order_by("pk").first()
    _token, raw = api_token_create(user=head, name="bench")
    cookie = pages.head_session_cookie()
    plan = api_plan(args.warmup + args.requests, args.seed)
    deals = Deal.objects.count()
    print(f"Base: {deals} deals. Server: waitress, {args.threads} threads.")

    port = pages.free_port()
    server = pages.start_server(env, port, args.threads)
    results = []
    try:
        api = Http(port, {"Authorization": f"Bearer {raw}"})
        for what, urls in plan.items():
            times = []
            for i, u in enumerate(urls):
                _status, _body, ms = api.get(u)
                if i >= args.warmup:
                    times.append(ms)
            results.append(summary(what, times))
            print(f"  {what}: median {results[-1]['median_ms']:.0f} ms", flush=True)
        web = Http(port, {"Cookie": cookie})
        times, rows = [], 0
        for _ in range(args.exports):
            _status, body, ms = web.get("/export/deals/?format=xlsx")
            times.append(ms)
            rows = xlsx_rows(body)
        results.append(summary(f"XLSX export, {rows} deals", times))
        print(f"  XLSX export: median {statistics.median(times) / 1000:.1f} s", flush=True)
    finally:
        pages.stop_server(server)

    print()
    print(f"{'what':<30} {'n':>4} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}")
    for r in results:
        print(
            f"{r['what']:<30} {r['n']:>4} {r['median_ms']:>10.1f} {r['p95_ms']:>9.1f} "
            f"{r['max_ms']:>9.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

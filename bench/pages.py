"""Page benchmark: the board, the deal list and deal pages over real HTTP on a big base.

Builds (or reuses) a base of 100,000 deals (10,000 open) and about 300,000 activities with
``manage.py demo_seed``, serves it with waitress in a subprocess (production settings:
VORONKA_DEBUG=0), signs in as the head of sales (who sees everything) and times each page
with a plain keep-alive HTTP client. Prints: page, n, median ms, p95 ms, and the server
process's CPU ms per request (its own user + system time, which other load hardly moves).

    .venv/bin/python bench/pages.py                       # SQLite in bench/results/
    .venv/bin/python bench/pages.py --reuse               # skip the rebuild
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_bench .venv/bin/python bench/pages.py

Not a test: it prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_SQLITE = RESULTS / "bench.sqlite3"
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--deals", type=int, default=100_000, help="deals in the base (100000)")
    p.add_argument("--open", type=int, default=None, help="open deals (default: deals / 10)")
    p.add_argument("--activities", type=int, default=None, help="activities (default: 3 per deal)")
    p.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    p.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (5)")
    p.add_argument("--reuse", action="store_true", help="reuse the existing base if present")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--threads", type=int, default=4, help="waitress threads (4)")
    p.add_argument("--seed", type=int, default=1, help="seed of the base and of the page picks")
    return p.parse_args(argv)


# ---------------------------------------------------------------- the database


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    RESULTS.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def db_config(url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(url)


def pg_admin_connect(cfg: dict):
    import psycopg

    return psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=int(cfg.get("PORT") or 5432),
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def pg_guard(cfg: dict) -> str:
    name = cfg["NAME"]
    if name in PROTECTED_DATABASES or "bench" not in name:
        sys.exit(
            f"Refusing to use database {name!r}: the benchmark drops and rebuilds its base, "
            "so the database name must contain 'bench' (e.g. voronka_bench)."
        )
    return name


def pg_exists(cfg: dict) -> bool:
    name = pg_guard(cfg)
    with pg_admin_connect(cfg) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


def pg_recreate(cfg: dict) -> None:
    from psycopg import sql

    name = pg_guard(cfg)
    with pg_admin_connect(cfg) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def sqlite_path(cfg: dict) -> Path:
    return Path(cfg["NAME"])


def base_exists(cfg: dict) -> bool:
    if cfg["ENGINE"].endswith("sqlite3"):
        return sqlite_path(cfg).exists()
    return pg_exists(cfg)


def wipe(cfg: dict) -> None:
    if cfg["ENGINE"].endswith("sqlite3"):
        path = sqlite_path(cfg)
        if path.resolve() == (ROOT / "db.sqlite3").resolve():
            sys.exit("Refusing to rebuild the development database db.sqlite3.")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        pg_recreate(cfg)


def manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def pg_analyze(cfg: dict) -> None:
    import psycopg

    with psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=int(cfg.get("PORT") or 5432),
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname=cfg["NAME"],
        autocommit=True,
    ) as conn:
        conn.execute("VACUUM ANALYZE")


def build(env: dict, args) -> float:
    open_deals = args.open if args.open is not None else args.deals // 10
    activities = args.activities if args.activities is not None else 3 * args.deals
    share = open_deals / args.deals if args.deals else 0.0
    per_deal = activities / args.deals if args.deals else 0.0
    manage(env, "migrate", "--noinput", "-v", "0")
    print(
        f"Building the base: {args.deals} deals ({open_deals} open), ~{activities} activities...",
        flush=True,
    )
    started = time.monotonic()
    manage(
        env,
        "demo_seed",
        "--deals",
        str(args.deals),
        "--open-share",
        f"{share:.6f}",
        "--activities-per-deal",
        f"{per_deal:.6f}",
        "--seed",
        str(args.seed),
    )
    return time.monotonic() - started


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, threads: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "waitress",
        f"--listen=127.0.0.1:{port}",
        f"--threads={threads}",
        "voronka.wsgi:application",
    ]
    log = open(RESULTS / "server.log", "w")  # closed when the process ends
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"The server exited with {proc.returncode}; see {RESULTS / 'server.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("The server did not answer within 60 s.")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- what to ask for


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def head_session_cookie() -> str:
    """A session of the head of sales, created directly (no login form round trip)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from voronka.accounts.models import User

    head = User.objects.filter(role="head").order_by("pk").first()
    if head is None:
        sys.exit("No head of sales in the base: rebuild it without --reuse.")
    session = SessionStore()
    session[SESSION_KEY] = str(head.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = head.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def page_plan(n: int, seed: int) -> tuple[dict[str, list[str]], dict]:
    """Each page's URLs (warm-up + timed), and facts about the base."""
    from voronka.accounts.models import User
    from voronka.activities.models import Activity
    from voronka.deals.models import Deal
    from voronka.deals.setup import ensure_default_pipeline

    rng = random.Random(seed)
    pipeline = ensure_default_pipeline()
    open_stages = list(
        pipeline.stages.filter(kind="open").order_by("order").values_list("pk", flat=True)
    )
    reps = list(User.objects.filter(role="rep").order_by("username").values_list("pk", flat=True))
    ids = list(Deal.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        sys.exit("The base has no deals: rebuild it without --reuse.")
    words = ["Вектор", "Альфа", "Поставка", "Гранит", "Иван", "Сервис", "Орион", "Техно"]

    def filtered():
        params = [("owner", rng.choice(reps)) if reps else ("sort", "amount")]
        params += [("stage", s) for s in rng.sample(open_stages, min(2, len(open_stages)))]
        params += [("amount_min", rng.choice([50000, 100000, 300000])), ("sort", "-amount")]
        return "/deals/?" + urlencode(params)

    plan = {
        "board": [f"/deals/board/{pipeline.pk}/"] * n,
        "list, page 1": ["/deals/"] * n,
        "list, filtered": [filtered() for _ in range(n)],
        "list, search": ["/deals/?" + urlencode({"q": rng.choice(words)}) for _ in range(n)],
        "deal page": [f"/deals/{rng.choice(ids)}/" for _ in range(n)],
    }
    facts = {
        "deals": len(ids),
        "open_deals": Deal.objects.filter(stage__kind="open").count(),
        "activities": Activity.all_objects.count(),
        "default_pipeline": pipeline.pk,
    }
    return plan, facts


# ---------------------------------------------------------------- timing


class Client:
    def __init__(self, port: int, cookie: str):
        self.port = port
        self.cookie = cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, url: str) -> tuple[int, int, float]:
        headers = {"Cookie": self.cookie, "Accept-Language": "ru", "Connection": "keep-alive"}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request("GET", url, headers=headers)
                resp = self.conn.getresponse()
                body = resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - started) * 1000.0
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return resp.status, len(body), elapsed
        raise AssertionError("unreachable")


def process_cpu_ms(pid: int) -> float:
    """User + system CPU time the process has used so far, in ms (Linux /proc; 0 elsewhere).
    Unlike wall time it hardly moves with other load on the machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(client: Client, plan: dict[str, list[str]], warmup: int, pid: int) -> list[dict]:
    rows = []
    for page, urls in plan.items():
        statuses: dict[int, int] = {}
        times, sizes = [], []
        cpu_start = 0.0
        for i, url in enumerate(urls):
            if i == warmup:
                cpu_start = process_cpu_ms(pid)
            status, size, ms = client.get(url)
            if status in (301, 302) and i == 0:
                sys.exit(f"{page}: {url} redirected ({status}); the session was not accepted.")
            if i < warmup:
                continue
            statuses[status] = statuses.get(status, 0) + 1
            times.append(ms)
            sizes.append(size)
        cpu_ms = (process_cpu_ms(pid) - cpu_start) / len(times)
        row = {
            "page": page,
            "n": len(times),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95(times), 1),
            "max_ms": round(max(times), 1),
            "server_cpu_ms": round(cpu_ms, 1),
            "median_bytes": int(statistics.median(sizes)),
            "statuses": statuses,
        }
        rows.append(row)
        print(f"  {page}: median {row['median_ms']:.0f} ms", flush=True)
    return rows


def print_table(rows: list[dict]) -> None:
    print(
        f"{'page':<16} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'cpu ms':>7} "
        f"{'KB':>6}  status"
    )
    for r in rows:
        status = ", ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items()))
        print(
            f"{r['page']:<16} {r['n']:>4} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} "
            f"{r['max_ms']:>8.1f} {r['server_cpu_ms']:>7.1f} {r['median_bytes'] / 1024:>6.0f}  "
            f"{status}"
        )


def server_env(url: str) -> dict:
    """The environment of the measured server and of the management commands: production
    settings over plain http on 127.0.0.1, against the database at ``url``."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "voronka.settings",
        "VORONKA_DEBUG": "0",
        "VORONKA_SECRET_KEY": os.environ.get("VORONKA_SECRET_KEY") or secrets.token_urlsafe(50),
        "VORONKA_ALLOWED_HOSTS": "127.0.0.1",
        "VORONKA_SSL_REDIRECT": "0",
        "VORONKA_SECURE_COOKIES": "0",
        "VORONKA_HSTS_SECONDS": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def main(argv=None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = database_url()
    cfg = db_config(url)
    env = server_env(url)
    vendor = "sqlite" if cfg["ENGINE"].endswith("sqlite3") else "postgresql"
    print(f"Database: {vendor} ({cfg['NAME']})")

    seed_seconds = None
    if args.reuse and base_exists(cfg):
        manage(env, "migrate", "--noinput", "-v", "0")
        print("Reusing the existing base.")
    else:
        wipe(cfg)
        seed_seconds = build(env, args)
        print(f"Base built in {seed_seconds:.0f} s.")
    if vendor == "postgresql":
        # After a bulk load a production server's autovacuum refreshes the planner
        # statistics within minutes; do it now so the timings reflect a settled database.
        pg_analyze(cfg)
    manage(env, "collectstatic", "--noinput", "-v", "0")

    setup_django(env)
    cookie = head_session_cookie()
    total = args.warmup + args.requests
    plan, facts = page_plan(total, args.seed)
    print(
        f"Base: {facts['deals']} deals, {facts['open_deals']} open, "
        f"{facts['activities']} activities. Server: waitress, {args.threads} threads."
    )

    port = free_port()
    server = start_server(env, port, args.threads)
    try:
        client = Client(port, cookie)
        rows = measure(client, plan, args.warmup, server.pid)
    finally:
        stop_server(server)
    print()
    print_table(rows)

    if args.json:
        report = {
            "database": vendor,
            "base": facts,
            "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
            "requests": args.requests,
            "warmup": args.warmup,
            "threads": args.threads,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "pages": rows,
        }
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        print(f"\nWritten {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

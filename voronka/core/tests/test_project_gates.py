"""Project-wide gates: deploy checks, raw SQL, the Russian catalogue, security headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [
    p
    for p in (ROOT / "voronka").rglob("*.py")
    if "migrations" not in p.parts and "tests" not in p.parts
]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "VORONKA_DEBUG": "0",
        "VORONKA_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_SETTINGS_MODULE": "voronka.settings",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "VORONKA_SECRET_KEY"}
    env["VORONKA_DEBUG"] = "0"
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "VORONKA_SECRET_KEY" in out.stderr


RAW_SQL = re.compile(r"\.raw\(|\.extra\(|RawSQL\(|cursor\.execute\(")

# The modules allowed to speak SQL: bulk import writes (COPY on PostgreSQL, executemany on
# SQLite) and id reservation, where table and column names come from model metadata and
# values are always bound parameters; and the SQLite backend's statistics pragmas, which
# take no values at all. Anything else goes through the ORM.
RAW_SQL_ALLOWED = {
    ROOT / "voronka" / "imports" / "fastinsert.py",
    ROOT / "voronka" / "core" / "sqlite3" / "base.py",
}


def test_no_raw_sql_in_application_code():
    offenders = [
        str(p)
        for p in SOURCES
        if p not in RAW_SQL_ALLOWED and RAW_SQL.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_raw_sql_allowlist_is_not_stale():
    # An entry that no longer needs the exception should leave the list.
    for p in RAW_SQL_ALLOWED:
        assert p.exists() and RAW_SQL.search(p.read_text(encoding="utf-8")), p


def test_russian_catalogue_is_complete():
    from babel.messages.pofile import read_po

    po = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [
        m.id
        for m in catalog
        if m.id
        and (
            (isinstance(m.string, tuple) and not all(m.string))
            or (not isinstance(m.string, tuple) and not m.string)
        )
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"
    plural = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    for m in plural:
        assert len(m.string) == 3, f"Russian needs three plural forms: {m.id}"


@pytest.mark.django_db
def test_html_pages_carry_a_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"

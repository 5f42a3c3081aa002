import os

import pytest
from hypothesis import settings

from voronka.core import testing

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# `make test` replays the same generated examples every run, so a green main stays green;
# HYPOTHESIS_PROFILE=explore draws new ones (use it when working on the pure cores).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

CHROMIUM = os.environ.get("VORONKA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def team(db):
    return testing.make_team("Отдел продаж Москва")


@pytest.fixture
def other_team(db):
    return testing.make_team("Отдел продаж Казань")


@pytest.fixture
def admin_user(db):
    return testing.make_user(role="admin", username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def head(team):
    return testing.make_user(role="head", team=team, username="head")


@pytest.fixture
def rep(team):
    return testing.make_user(role="rep", team=team, username="rep_a")


@pytest.fixture
def other_rep(team):
    """Same team as ``rep``."""
    return testing.make_user(role="rep", team=team, username="rep_b")


@pytest.fixture
def rep_other_team(other_team):
    return testing.make_user(role="rep", team=other_team, username="rep_c")


@pytest.fixture
def pipeline(db):
    return testing.default_pipeline()


@pytest.fixture
def stages(pipeline):
    """The default pipeline's stages: lead, qualification, probability, closing, won, lost."""
    s = list(pipeline.stages.order_by("order", "pk"))
    return {
        "lead": s[0],
        "qualification": s[1],
        "probability": s[2],
        "closing": s[3],
        "won": s[4],
        "lost": s[5],
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client signed in as ``user``."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def login_page(live_server, page):
    """``login_page(user)``: the Playwright page, signed in as ``user`` via the login form."""

    def do(user, password="pass-Voronka-1"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        return page

    return do

"""Builders for tests and demo data: they go through the services, as users do."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

_seq = itertools.count(1)


def make_team(name=None):
    from voronka.accounts.models import Team

    return Team.objects.create(name=name or f"Team {next(_seq)}")


def make_user(role="rep", team=None, username=None, language="en", **extra):
    from voronka.accounts.models import User

    n = next(_seq)
    return User.objects.create_user(
        username=username or f"user{n}",
        password=extra.pop("password", "pass-Voronka-1"),
        first_name=extra.pop("first_name", f"User{n}"),
        last_name=extra.pop("last_name", "Test"),
        role=role,
        team=team,
        language=language,
        **extra,
    )


def default_pipeline():
    """The default pipeline; created again if a transactional test flushed it."""
    from voronka.deals.setup import ensure_default_pipeline

    return ensure_default_pipeline()


def stage_named(pipeline, order_index: int):
    """The n-th stage of a pipeline (0 = first)."""
    return list(pipeline.stages.order_by("order", "pk"))[order_index]


def make_company(owner=None, **fields):
    from voronka.contacts.models import Company

    fields.setdefault("name", f"ООО Компания {next(_seq)}")
    return Company.objects.create(owner=owner, **fields)


def make_contact(owner=None, **fields):
    from voronka.contacts.models import Contact

    fields.setdefault("name", f"Контакт {next(_seq)}")
    return Contact.objects.create(owner=owner, **fields)


def make_deal(owner=None, stage=None, by=None, **fields):
    from voronka.deals.services import deal_create

    if stage is None:
        stage = stage_named(default_pipeline(), 1)
    fields.setdefault("title", f"Сделка {next(_seq)}")
    fields.setdefault("amount", Decimal("100000.00"))
    return deal_create(by=by or owner, stage=stage, owner=owner, **fields)


def make_activity(deal=None, owner=None, due_in_days=1, **fields):
    from voronka.activities.services import activity_create

    fields.setdefault("subject", f"Звонок {next(_seq)}")
    fields.setdefault("due_at", timezone.now() + timedelta(days=due_in_days))
    return activity_create(by=owner, deal=deal, owner=owner, **fields)

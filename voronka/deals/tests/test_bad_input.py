"""Bad input from the issue's list: a clear, translated message or a 4xx, nothing half-saved."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from voronka.core.testing import make_deal
from voronka.deals.models import Deal, StageChange

pytestmark = pytest.mark.django_db


def state(deal):
    d = Deal.all_objects.get(pk=deal.pk)
    return (d.title, d.amount, d.stage_id, d.version, d.updated_at, d.history.count())


def test_a_forged_csrf_token_is_refused_and_changes_nothing(rep, stages):
    deal = make_deal(owner=rep, stage=stages["lead"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    client.get(reverse("deals:detail", args=[deal.pk]))  # sets the real CSRF cookie
    before = state(deal)
    response = client.post(
        reverse("deals:edit", args=[deal.pk]),
        {"title": "Forged", "amount": "1", "currency": "RUB", "version": deal.version},
        HTTP_X_CSRFTOKEN="forged" * 8,
    )
    assert response.status_code == 403
    response = client.post(
        reverse("deals:move", args=[deal.pk]),
        {"stage": stages["qualification"].pk, "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403
    assert state(deal) == before
    assert StageChange.objects.filter(deal=deal).count() == 1


@pytest.mark.parametrize(
    "query, field_error",
    [
        ("created_from=2026-05-10&created_to=2026-05-01", "before its start date"),
        ("close_from=2026-05-10&close_to=2026-05-01", "before its start date"),
        ("amount_min=500&amount_max=100", "greater than the maximum"),
    ],
)
def test_a_range_that_ends_before_it_starts_is_an_error(
    client_for, rep, stages, query, field_error
):
    make_deal(owner=rep, stage=stages["lead"], title="Visible deal")
    with translation.override("en"):
        response = client_for(rep).get(reverse("deals:list") + "?" + query)
    assert response.status_code == 200
    assert field_error in response.content.decode()


def test_range_error_is_translated(client_for, rep, stages):
    rep.language = "ru"
    rep.save()
    response = client_for(rep).get(
        reverse("deals:list") + "?created_from=2026-05-10&created_to=2026-05-01"
    )
    assert "Конец периода «создано» раньше его начала." in response.content.decode()


def test_html_in_every_text_field_is_inert(client_for, rep, stages):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    deal = make_deal(owner=rep, stage=stages["lead"], title=payload, source=payload)
    client = client_for(rep)
    for url in (
        reverse("deals:detail", args=[deal.pk]),
        reverse("deals:list"),
        reverse("deals:board", args=[deal.pipeline_id]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url

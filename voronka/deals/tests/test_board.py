"""The kanban board: columns, counts and sums, flags, filters, paging, scope and queries."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal, Pipeline
from voronka.deals.selectors import format_money

pytestmark = pytest.mark.django_db


def board_url(pipeline, **params):
    url = reverse("deals:board", args=[pipeline.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def span(html, element_id):
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</span>', html, re.S)
    assert m, f"#{element_id} not found"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_default_board_redirects_to_the_first_active_pipeline(client_for, rep, pipeline):
    Pipeline.objects.filter(pk=pipeline.pk).update(is_active=False)
    active = Pipeline.objects.create(name="Projects", order=5)
    response = client_for(rep).get(reverse("deals:board_default"))
    assert response.status_code == 302
    assert response["Location"] == board_url(active)


def test_default_board_creates_the_default_pipeline_when_there_is_none(client_for, rep):
    Pipeline.objects.all().delete()
    response = client_for(rep).get(reverse("deals:board_default"))
    assert response.status_code == 302
    assert Pipeline.objects.count() == 1
    assert response["Location"] == board_url(Pipeline.objects.get())


def test_board_needs_login(client, pipeline):
    response = client.get(board_url(pipeline))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_open_columns_shown_won_and_lost_only_on_toggle(client_for, rep, stages, pipeline):
    html = client_for(rep).get(board_url(pipeline)).content.decode()
    for key in ("lead", "qualification", "probability", "closing"):
        assert f'id="col-{stages[key].pk}"' in html
    assert f'id="col-{stages["won"].pk}"' not in html
    assert f'id="col-{stages["lost"].pk}"' not in html
    html = client_for(rep).get(board_url(pipeline, closed=1)).content.decode()
    assert f'id="col-{stages["won"].pk}"' in html
    assert f'id="col-{stages["lost"].pk}"' in html


def test_column_count_and_sum_per_currency(client_for, rep, stages, pipeline, settings):
    settings.VORONKA_DEFAULT_CURRENCY = "RUB"
    q = stages["qualification"]
    make_deal(owner=rep, stage=q, amount=Decimal("100000"))
    make_deal(owner=rep, stage=q, amount=Decimal("50000.50"))
    make_deal(owner=rep, stage=q, amount=Decimal("10"), currency="USD")
    make_deal(owner=rep, stage=stages["probability"], amount=Decimal("7"))
    response = client_for(rep).get(board_url(pipeline))
    html = response.content.decode()
    assert span(html, f"col-count-{q.pk}") == "3"
    total = span(html, f"col-sum-{q.pk}")
    assert format_money(Decimal("150000.50"), "RUB") in total
    assert format_money(Decimal("10"), "USD") in total
    assert "150" in total.replace("\xa0", "").replace(",", "").replace(" ", "")
    assert span(html, f"col-count-{stages['probability'].pk}") == "1"
    assert span(html, f"col-count-{stages['closing'].pk}") == "0"


def test_money_is_formatted_per_language(rep):
    from django.utils import translation

    with translation.override("ru"):
        assert format_money(Decimal("150000.5"), "RUB") == "150\xa0000,50\xa0₽"
    with translation.override("en"):
        assert format_money(Decimal("150000.5"), "RUB") == "150,000.50\xa0RUB"


def test_rep_sees_only_own_deals_and_counts(client_for, rep, other_rep, stages, pipeline):
    q = stages["qualification"]
    mine = make_deal(owner=rep, stage=q, title="Mine deal")
    theirs = make_deal(owner=other_rep, stage=q, title="Secret deal of B")
    html = client_for(rep).get(board_url(pipeline)).content.decode()
    assert f'id="deal-card-{mine.pk}"' in html
    assert f'id="deal-card-{theirs.pk}"' not in html
    assert "Secret deal of B" not in html
    assert span(html, f"col-count-{q.pk}") == "1"


def test_head_sees_the_team_and_filters_by_owner(
    client_for, head, rep, other_rep, rep_other_team, stages, pipeline
):
    q = stages["qualification"]
    a = make_deal(owner=rep, stage=q)
    b = make_deal(owner=other_rep, stage=q)
    c = make_deal(owner=rep_other_team, stage=q)
    html = client_for(head).get(board_url(pipeline)).content.decode()
    assert f'id="deal-card-{a.pk}"' in html and f'id="deal-card-{b.pk}"' in html
    assert f'id="deal-card-{c.pk}"' not in html
    html = client_for(head).get(board_url(pipeline, owner=rep.pk)).content.decode()
    assert f'id="deal-card-{a.pk}"' in html and f'id="deal-card-{b.pk}"' not in html
    assert span(html, f"col-count-{q.pk}") == "1"
    # An owner outside the head's zone is ignored: it reveals nothing.
    html = client_for(head).get(board_url(pipeline, owner=rep_other_team.pk)).content.decode()
    assert f'id="deal-card-{c.pk}"' not in html
    assert str(rep_other_team) not in html


def test_rep_owner_filter_cannot_reach_another_rep(client_for, rep, other_rep, stages, pipeline):
    theirs = make_deal(owner=other_rep, stage=stages["qualification"])
    html = client_for(rep).get(board_url(pipeline, owner=other_rep.pk)).content.decode()
    assert f'id="deal-card-{theirs.pk}"' not in html
    assert f'<option value="{other_rep.pk}"' not in html


def test_search_on_title(client_for, rep, stages, pipeline):
    q = stages["qualification"]
    hit = make_deal(owner=rep, stage=q, title="Rosneft supply")
    miss = make_deal(owner=rep, stage=q, title="Gazprom audit")
    html = client_for(rep).get(board_url(pipeline, q="neft")).content.decode()
    assert f'id="deal-card-{hit.pk}"' in html
    assert f'id="deal-card-{miss.pk}"' not in html
    assert span(html, f"col-count-{q.pk}") == "1"


def test_card_flags(client_for, rep, stages, pipeline):
    q = stages["qualification"]  # stale after 7 days
    no_next = make_deal(owner=rep, stage=q, title="No next")
    overdue = make_deal(owner=rep, stage=q, title="Overdue")
    make_activity(deal=overdue, owner=rep, due_in_days=-1)
    fine = make_deal(owner=rep, stage=q, title="Fine")
    make_activity(deal=fine, owner=rep, due_in_days=2)
    stale = make_deal(owner=rep, stage=q, title="Stale")
    make_activity(deal=stale, owner=rep, due_in_days=2)
    long_ago = timezone.now() - timedelta(days=8)
    Deal.objects.filter(pk=stale.pk).update(stage_entered_at=long_ago, last_activity_at=long_ago)
    html = client_for(rep).get(board_url(pipeline)).content.decode()

    def card(deal):
        m = re.search(rf'<li class="deal-card" id="deal-card-{deal.pk}".*?</li>', html, re.S)
        return m.group(0)

    assert "flag-no-next" in card(no_next)
    assert "flag-overdue" not in card(no_next)
    assert "flag-overdue" in card(overdue) and "flag-no-next" not in card(overdue)
    assert "flag-" not in card(fine)
    assert "flag-stale" in card(stale)
    assert "flag-stale" not in card(fine)


def test_card_shows_title_company_amount_owner_next_step(client_for, rep, stages, pipeline):
    from voronka.core.testing import make_company

    company = make_company(owner=rep, name="ООО Ромашка")
    deal = make_deal(owner=rep, stage=stages["qualification"], company=company, amount=5000)
    make_activity(deal=deal, owner=rep, due_in_days=3)
    html = client_for(rep).get(board_url(pipeline)).content.decode()
    card = re.search(rf'id="deal-card-{deal.pk}".*?</li>', html, re.S).group(0)
    assert reverse("deals:detail", args=[deal.pk]) in card
    assert "ООО Ромашка" in card
    assert format_money(Decimal("5000"), "RUB") in card
    assert str(rep) in card
    assert "<time" in card


def test_columns_are_paged_with_show_more(client_for, rep, stages, pipeline, settings):
    settings.VORONKA_BOARD_PAGE_SIZE = 3
    q = stages["qualification"]
    deals = [make_deal(owner=rep, stage=q, title=f"Paged {i}") for i in range(5)]
    c = client_for(rep)
    html = c.get(board_url(pipeline)).content.decode()
    shown = set(re.findall(r'id="deal-card-(\d+)"', html))
    assert len(shown) == 3
    assert f'id="col-more-{q.pk}"' in html
    more = reverse("deals:board_column", args=[pipeline.pk, q.pk]) + "?page=2"
    part = c.get(more, headers={"HX-Request": "true"}).content.decode()
    rest = set(re.findall(r'id="deal-card-(\d+)"', part))
    assert len(rest) == 2
    assert shown | rest == {str(d.pk) for d in deals}
    assert "col-more" not in part
    assert "<html" not in part


def test_show_more_keeps_the_scope(client_for, rep, other_rep, stages, pipeline, settings):
    settings.VORONKA_BOARD_PAGE_SIZE = 1
    q = stages["qualification"]
    for _ in range(2):
        make_deal(owner=other_rep, stage=q)
    make_deal(owner=rep, stage=q)
    url = reverse("deals:board_column", args=[pipeline.pk, q.pk]) + "?page=2"
    part = client_for(rep).get(url, headers={"HX-Request": "true"}).content.decode()
    assert "deal-card-" not in part


def _board_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_does_not_grow_with_deals(
    client_for, head, rep, other_rep, stages, pipeline, django_assert_max_num_queries
):
    from voronka.core.testing import make_company

    open_stages = [stages[k] for k in ("lead", "qualification", "probability", "closing")]
    owners = [rep, other_rep]

    def add(n):
        for i in range(n):
            owner = owners[i % 2]
            deal = make_deal(
                owner=owner, stage=open_stages[i % 4], company=make_company(owner=owner)
            )
            if i % 3 == 0:
                make_activity(deal=deal, owner=owner, due_in_days=1)

    c = client_for(head)
    add(5)
    small = _board_queries(c, board_url(pipeline, closed=1))
    add(55)
    assert Deal.objects.count() == 60
    with django_assert_max_num_queries(small):
        response = c.get(board_url(pipeline, closed=1))
    assert response.content.decode().count('class="deal-card"') == 60


def test_script_in_title_is_shown_as_text_on_the_board(client_for, rep, stages, pipeline):
    make_deal(owner=rep, stage=stages["qualification"], title="<script>alert(1)</script>")
    html = client_for(rep).get(board_url(pipeline)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_show_more_without_htmx_is_a_page_and_unknown_columns_are_404(
    client_for, rep, stages, pipeline, settings
):
    from voronka.deals.models import Stage

    settings.VORONKA_BOARD_PAGE_SIZE = 1
    q = stages["qualification"]
    make_deal(owner=rep, stage=q)
    make_deal(owner=rep, stage=q)
    c = client_for(rep)
    response = c.get(reverse("deals:board_column", args=[pipeline.pk, q.pk]) + "?page=2")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "Back to the board" in html
    assert html.count('class="deal-card"') == 1
    other = Pipeline.objects.create(name="Other", order=4)
    foreign = Stage.objects.create(pipeline=other, name="Foreign", order=0)
    assert c.get(reverse("deals:board_column", args=[pipeline.pk, foreign.pk])).status_code == 404
    assert c.get(reverse("deals:board_column", args=[999999, q.pk])).status_code == 404

"""The deal list: each filter, text search (Cyrillic case), sorting, paging, zones, bad input."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from voronka.core.testing import make_activity, make_company, make_contact, make_deal
from voronka.deals.models import Deal, Tag

pytestmark = pytest.mark.django_db


def titles(response):
    return [d.title for d in response.context["rows"]]


def total(response):
    return response.context["page_obj"].paginator.count


def get(client, **params):
    response = client.get("/deals/", params)
    assert response.status_code == 200
    return response


# ---------------------------------------------------------------- zones


def test_rep_sees_own_deals_and_unassigned_leads_only(rep, other_rep, stages, client_for):
    make_deal(owner=rep, title="Мой контракт")
    make_deal(owner=other_rep, title="Чужой контракт")
    make_deal(owner=None, stage=stages["lead"], title="Входящий лид")
    response = get(client_for(rep))
    assert sorted(titles(response)) == ["Входящий лид", "Мой контракт"]
    assert total(response) == 2
    assert "Чужой контракт" not in response.content.decode()


def test_searching_for_another_reps_deal_finds_nothing(rep, other_rep, client_for):
    make_deal(owner=rep, title="Поставка бетона")
    make_deal(owner=other_rep, title="Секретная сделка Омега")
    response = get(client_for(rep), q="Омега")
    assert titles(response) == []
    assert total(response) == 0
    html = response.content.decode()
    assert "Омега" not in html.split('id="deal-count"')[1]
    assert re.search(r'id="deal-count">\s*0 deals', html)


def test_head_sees_the_team_but_not_another_team(head, rep, rep_other_team, client_for):
    make_deal(owner=rep, title="Команда")
    make_deal(owner=rep_other_team, title="Казань")
    response = get(client_for(head))
    assert titles(response) == ["Команда"]


# ---------------------------------------------------------------- filters


def test_owner_filter(head, rep, other_rep, client_for):
    make_deal(owner=rep, title="A")
    make_deal(owner=other_rep, title="B")
    make_deal(owner=head, title="C")
    c = client_for(head)
    assert titles(get(c, owner=rep.pk)) == ["A"]
    assert sorted(titles(get(c, owner=[rep.pk, head.pk]))) == ["A", "C"]


def test_owner_outside_the_zone_is_an_error_and_shows_nothing(rep, other_rep, client_for):
    make_deal(owner=rep, title="Свой")
    make_deal(owner=other_rep, title="Чужой")
    response = get(client_for(rep), owner=other_rep.pk)
    assert titles(response) == []
    assert total(response) == 0
    html = response.content.decode()
    assert 'class="error filter-errors"' in html
    assert "Select a valid choice" in html
    assert "Чужой" not in html


def test_team_filter_for_admin(admin_user, rep, rep_other_team, other_team, client_for):
    make_deal(owner=rep, title="Москва")
    make_deal(owner=rep_other_team, title="Казань")
    assert titles(get(client_for(admin_user), team=other_team.pk)) == ["Казань"]


def test_team_key_is_ignored_for_a_rep(rep, other_rep, other_team, client_for):
    make_deal(owner=rep, title="Свой")
    response = get(client_for(rep), team=other_team.pk)
    assert titles(response) == ["Свой"]
    assert response.context["filter_errors"] == []


def test_stage_and_pipeline_filter(rep, stages, pipeline, client_for):
    make_deal(owner=rep, stage=stages["lead"], title="Лид")
    make_deal(owner=rep, stage=stages["qualification"], title="Квал")
    c = client_for(rep)
    assert titles(get(c, stage=stages["qualification"].pk)) == ["Квал"]
    assert sorted(titles(get(c, pipeline=pipeline.pk))) == ["Квал", "Лид"]


def test_amount_range_is_inclusive(rep, client_for):
    for amount in ("50000", "100000", "150000", "300000"):
        make_deal(owner=rep, title=f"D{amount}", amount=Decimal(amount))
    c = client_for(rep)
    assert sorted(titles(get(c, amount_min="100000", amount_max="150000"))) == [
        "D100000",
        "D150000",
    ]
    assert titles(get(c, amount_min="200000")) == ["D300000"]


def test_created_and_expected_close_ranges(rep, client_for):
    old = timezone.now() - timedelta(days=40)
    make_deal(owner=rep, title="Старая", created_at=old, expected_close_date=date(2025, 3, 1))
    make_deal(owner=rep, title="Новая", expected_close_date=date(2025, 6, 1))
    c = client_for(rep)
    today = timezone.localdate()
    assert titles(get(c, created_from=today.isoformat())) == ["Новая"]
    assert titles(get(c, created_to=(today - timedelta(days=30)).isoformat())) == ["Старая"]
    assert titles(get(c, close_from="2025-05-01", close_to="2025-06-30")) == ["Новая"]


def test_flags(rep, stages, client_for):
    no_next = make_deal(owner=rep, title="Без шага")
    overdue = make_deal(owner=rep, title="Просрочен")
    make_activity(deal=overdue, owner=rep, due_in_days=-2)
    fine = make_deal(owner=rep, title="Всё хорошо")
    make_activity(deal=fine, owner=rep, due_in_days=2)
    stale = make_deal(owner=rep, title="Застрял")
    make_activity(deal=stale, owner=rep, due_in_days=5)
    long_ago = timezone.now() - timedelta(days=30)
    Deal.objects.filter(pk=stale.pk).update(stage_entered_at=long_ago, last_activity_at=long_ago)
    won = make_deal(owner=rep, title="Выиграна")
    Deal.objects.filter(pk=won.pk).update(stage=stages["won"])
    c = client_for(rep)
    assert titles(get(c, flags="no_next")) == [no_next.title]
    assert titles(get(c, flags="overdue")) == [overdue.title]
    assert titles(get(c, flags="stale")) == [stale.title]
    assert titles(get(c, flags="won")) == [won.title]
    assert sorted(titles(get(c, flags=["no_next", "overdue"]))) == sorted(
        [no_next.title, overdue.title]
    )
    assert won.title not in titles(get(c, flags="open"))
    assert titles(get(c, flags="lost")) == []
    # the board's flag classes are shown in the rows
    html = get(c).content.decode()
    assert 'class="flag flag-no-next"' in html
    assert 'class="flag flag-overdue"' in html
    assert 'class="flag flag-stale"' in html


def test_tags_and_source(rep, client_for):
    hot = Tag.objects.create(name="горячая")
    make_deal(owner=rep, title="С тегом", tags=[hot], source="Сайт")
    make_deal(owner=rep, title="Без тега", source="Выставка")
    c = client_for(rep)
    assert titles(get(c, tag=hot.pk)) == ["С тегом"]
    assert titles(get(c, source="выставка")) == ["Без тега"]


@pytest.mark.parametrize("typed", ["сделка", "СДЕЛКА", "Сделка", "делк"])
def test_text_search_folds_cyrillic_case(rep, client_for, typed):
    make_deal(owner=rep, title="Сделка с заводом")
    make_deal(owner=rep, title="Поставка труб")
    assert titles(get(client_for(rep), q=typed)) == ["Сделка с заводом"]


def test_text_search_covers_company_and_contact_names(rep, client_for):
    company = make_company(owner=rep, name="ООО Ромашка")
    make_deal(owner=rep, title="Первая", company=company)
    contact = make_contact(owner=rep, name="Иван Петров")
    make_deal(owner=rep, title="Вторая", contacts=[contact])
    make_deal(owner=rep, title="Третья", contacts=[contact, make_contact(owner=rep, name="Иван")])
    make_deal(owner=rep, title="Latin Deal")
    c = client_for(rep)
    assert titles(get(c, q="ромашка")) == ["Первая"]
    # a deal with two matching contacts is listed once
    assert sorted(titles(get(c, q="иван"))) == ["Вторая", "Третья"]
    assert total(get(c, q="иван")) == 2
    assert titles(get(c, q="latin deal")) == ["Latin Deal"]
    # regular-expression characters are plain text
    assert titles(get(c, q=".*")) == []


def test_unknown_keys_are_ignored(rep, client_for):
    make_deal(owner=rep, title="Одна")
    response = get(client_for(rep), foo="bar", owner__in="1,2,3", deleted="1")
    assert titles(response) == ["Одна"]
    assert response.context["filter_errors"] == []


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"amount_min": "много"}, "Enter a number"),
        ({"amount_max": "-5"}, "greater than or equal to 0"),
        ({"created_from": "31.02.2025"}, "Enter a valid date"),
        ({"close_to": "2025-02-31"}, "Enter a valid date"),
        ({"stage": "abc"}, "is not a valid value"),
        ({"pipeline": "999999"}, "Select a valid choice"),
        ({"flags": "everything"}, "Select a valid choice"),
        ({"q": "x" * 300}, "at most 200 characters"),
        ({"created_from": "0001-01-01"}, "greater than or equal to"),
        ({"created_to": "9999-12-31"}, "less than or equal to"),
        ({"tag": "99999999999999999999999"}, "Select a valid choice"),
        ({"owner": "-1"}, "Select a valid choice"),
    ],
)
def test_bad_values_give_an_error_never_a_500(rep, other_rep, client_for, params, fragment):
    make_deal(owner=rep, title="Своя")
    make_deal(owner=other_rep, title="Чужая")
    response = get(client_for(rep), **params)
    html = response.content.decode()
    assert fragment in html
    assert 'role="alert"' in html
    assert titles(response) == []
    assert "Чужая" not in html


def test_errors_are_translated(rep, client_for):
    rep.language = "ru"
    rep.save()
    response = get(client_for(rep), amount_min="много")
    assert "Введите число" in response.content.decode()


# ---------------------------------------------------------------- sorting


def test_sorting_by_whitelisted_columns(rep, client_for):
    make_deal(owner=rep, title="Б", amount=Decimal("200"))
    make_deal(owner=rep, title="А", amount=Decimal("300"))
    make_deal(owner=rep, title="В", amount=Decimal("100"))
    c = client_for(rep)
    assert titles(get(c, sort="amount")) == ["В", "Б", "А"]
    assert titles(get(c, sort="-amount")) == ["А", "Б", "В"]
    assert titles(get(c, sort="title")) == ["А", "Б", "В"]
    # default: newest first; anything off the whitelist is ignored
    assert titles(get(c)) == ["В", "А", "Б"]
    assert titles(get(c, sort="owner__password")) == ["В", "А", "Б"]
    assert titles(get(c, sort="-deleted_at")) == ["В", "А", "Б"]


def test_sorting_by_stage_and_next_step_puts_empty_last(rep, stages, client_for):
    late = make_deal(owner=rep, title="Поздний", stage=stages["closing"])
    make_activity(deal=late, owner=rep, due_in_days=9)
    soon = make_deal(owner=rep, title="Скорый", stage=stages["lead"])
    make_activity(deal=soon, owner=rep, due_in_days=1)
    make_deal(owner=rep, title="Пустой", stage=stages["qualification"])
    c = client_for(rep)
    assert titles(get(c, sort="stage")) == ["Скорый", "Пустой", "Поздний"]
    assert titles(get(c, sort="next_step")) == ["Скорый", "Поздний", "Пустой"]
    assert titles(get(c, sort="-next_step")) == ["Поздний", "Скорый", "Пустой"]


def test_sort_links_keep_filters_and_toggle_direction(rep, client_for):
    make_deal(owner=rep, title="Одна")
    response = get(client_for(rep), sort="amount", q="Одна", page="1")
    col = response.context["columns"]["amount"]
    assert col["aria"] == "ascending"
    assert "sort=-amount" in col["url"] and "q=" in col["url"] and "page=" not in col["url"]


# ---------------------------------------------------------------- paging


def test_paging(rep, client_for, settings):
    settings.VORONKA_LIST_PAGE_SIZE = 3
    for i in range(7):
        make_deal(owner=rep, title=f"D{i}", amount=Decimal(i))
    c = client_for(rep)
    first = get(c, sort="amount")
    assert titles(first) == ["D0", "D1", "D2"]
    assert total(first) == 7
    assert "page=2" in first.context["pages"]["next"]
    assert titles(get(c, sort="amount", page="3")) == ["D6"]
    assert titles(get(c, sort="amount", page="99")) == ["D6"]
    assert titles(get(c, sort="amount", page="x")) == ["D0", "D1", "D2"]


def test_count_covers_only_visible_rows(rep, other_rep, client_for, settings):
    settings.VORONKA_LIST_PAGE_SIZE = 2
    for i in range(3):
        make_deal(owner=rep, title=f"Мой {i}")
    for i in range(5):
        make_deal(owner=other_rep, title=f"Чужой {i}")
    response = get(client_for(rep))
    assert total(response) == 3
    assert response.context["page_obj"].paginator.num_pages == 2


# ---------------------------------------------------------------- rendering


def test_htmx_request_gets_the_table_fragment(rep, client_for):
    make_deal(owner=rep, title="Фрагмент")
    response = client_for(rep).get("/deals/", {"q": "фраг"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Фрагмент" in html
    assert "HX-Request" in response["Vary"]
    full = client_for(rep).get("/deals/")
    assert "<html" in full.content.decode() and 'id="filter-form"' in full.content.decode()


def test_amount_is_formatted_for_the_language(rep, client_for):
    make_deal(owner=rep, title="Деньги", amount=Decimal("1234567.50"))
    assert "1,234,567.50" in get(client_for(rep)).content.decode()
    rep.language = "ru"
    rep.save()
    html = get(client_for(rep)).content.decode()
    assert "1\xa0234\xa0567,50\xa0₽" in html


def _fill(rep, stages, n):
    tag = Tag.objects.get_or_create(name="тег")[0]
    company = make_company(owner=rep)
    for i in range(n):
        deal = make_deal(
            owner=rep,
            stage=stages["qualification"] if i % 2 else stages["lead"],
            company=company if i % 3 else None,
            tags=[tag],
        )
        if i % 4 == 0:
            make_activity(deal=deal, owner=rep, due_in_days=-1)


@pytest.mark.parametrize("n", [5, 80])
def test_query_count_does_not_grow_with_deals(
    rep, stages, client_for, django_assert_max_num_queries, n
):
    _fill(rep, stages, n)
    c = client_for(rep)
    with django_assert_max_num_queries(20):
        response = c.get("/deals/", {"sort": "-amount", "flags": ["no_next", "overdue", "stale"]})
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        response = c.get("/deals/", {"q": "сделка"})
    assert total(response) == n

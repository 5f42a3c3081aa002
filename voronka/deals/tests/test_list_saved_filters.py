"""Saved filters of the deal list: per user, foreign ids are a 404."""

from urllib.parse import parse_qs, urlsplit

import pytest

from voronka.core.testing import make_deal
from voronka.deals.models import SavedFilter

pytestmark = pytest.mark.django_db


def test_save_lists_and_opens_a_filter(rep, stages, client_for):
    make_deal(owner=rep, stage=stages["lead"], title="Лид")
    make_deal(owner=rep, stage=stages["qualification"], title="Квал")
    c = client_for(rep)
    query = f"stage={stages['lead'].pk}&sort=-amount&page=3&evil=1"
    response = c.post("/deals/saved-filters/", {"name": "Мои лиды", "query": query})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=rep)
    assert saved.name == "Мои лиды"
    # page and unknown keys are not kept
    assert parse_qs(saved.query) == {"stage": [str(stages["lead"].pk)], "sort": ["-amount"]}

    page = c.get("/deals/")
    assert f'href="/deals/saved-filters/{saved.pk}/"' in page.content.decode()
    assert "Мои лиды" in page.content.decode()

    opened = c.get(f"/deals/saved-filters/{saved.pk}/")
    assert opened.status_code == 302
    target = urlsplit(opened["Location"])
    assert target.path == "/deals/"
    listed = c.get(opened["Location"])
    assert [d.title for d in listed.context["rows"]] == ["Лид"]


def test_saving_again_with_the_same_name_replaces(rep, client_for):
    c = client_for(rep)
    c.post("/deals/saved-filters/", {"name": "Крупные", "query": "amount_min=100"})
    c.post("/deals/saved-filters/", {"name": "Крупные", "query": "amount_min=500"})
    assert list(SavedFilter.objects.filter(user=rep).values_list("query", flat=True)) == [
        "amount_min=500"
    ]


def test_a_name_is_required(rep, client_for):
    response = client_for(rep).post("/deals/saved-filters/", {"name": "", "query": "q=x"})
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_private(rep, other_rep, client_for):
    theirs = SavedFilter.objects.create(user=other_rep, name="Чужой фильтр", query="q=секрет")
    c = client_for(rep)
    assert "Чужой фильтр" not in c.get("/deals/").content.decode()
    assert c.get(f"/deals/saved-filters/{theirs.pk}/").status_code == 404
    assert c.post(f"/deals/saved-filters/{theirs.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_delete_own(rep, client_for):
    mine = SavedFilter.objects.create(user=rep, name="Мой", query="q=x")
    c = client_for(rep)
    assert c.get(f"/deals/saved-filters/{mine.pk}/delete/").status_code == 405
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    response = c.post(f"/deals/saved-filters/{mine.pk}/delete/")
    assert response.status_code == 302
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/deals/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_filter_too_long_to_store_is_refused(rep, client_for):
    query = "&".join(f"stage={i}" for i in range(400))
    c = client_for(rep)
    response = c.post("/deals/saved-filters/", {"name": "Длинный", "query": query}, follow=True)
    assert "too long to save" in response.content.decode()
    assert not SavedFilter.objects.exists()

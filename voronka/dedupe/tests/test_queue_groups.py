"""The review queue shows the scan's clusters: a person's records together, most likely
group first, with one link to merge them all."""

import re

import pytest
from django.urls import reverse

from voronka.contacts.services import contact_create
from voronka.core.phones import parse_phone
from voronka.dedupe import selectors, services
from voronka.dedupe.models import CandidatePair

pytestmark = pytest.mark.django_db


def phones(*raw):
    return [parse_phone(p, region="RU") for p in raw]


def test_queue_fill_keeps_the_cluster_of_each_pair(team):
    services.queue_fill("contact", [(1, 2, 9.0), (3, 2, 8.0), (4, 5, 3.0), (2, 6, 4.0)],
                        clusters=[[3, 1, 2], [4, 5], [6]])  # fmt: skip
    got = dict(
        ((a, b), c) for a, b, c in CandidatePair.objects.values_list("a_id", "b_id", "cluster")
    )
    # in one cluster: its smallest id; across clusters or outside any: none
    assert got == {(1, 2): 1, (2, 3): 1, (4, 5): 4, (2, 6): None}
    # a new scan that splits the cluster updates the open pairs
    services.queue_fill("contact", [(1, 2, 9.0), (2, 3, 8.0)], clusters=[[1, 2]])
    got = dict(
        ((a, b), c) for a, b, c in CandidatePair.objects.values_list("a_id", "b_id", "cluster")
    )
    assert got == {(1, 2): 1, (2, 3): None}


def test_a_persons_three_records_are_one_group_with_a_merge_all_link(client_for, rep):
    one = contact_create(by=rep, name="Иванов Александр Петрович", owner=rep,
                         phones=phones("89123456789"), emails=["a.ivanov@mail.ru"])  # fmt: skip
    two = contact_create(
        by=rep, name="Саша Иванов", owner=rep, phones=phones("+7 912 345-67-89"),
        emails=["A.Ivanov@mail.ru"],
    )  # fmt: skip
    three = contact_create(by=rep, name="Aleksandr Ivanov", owner=rep,
                           phones=phones("9123456789"), emails=["a.ivanov@mail.ru "])  # fmt: skip
    x = contact_create(by=rep, name="Петрова Мария", owner=rep, phones=phones("89035550011"))
    y = contact_create(by=rep, name="Мария Петрова", owner=rep, phones=phones("+79035550011"))
    services.scan_run("contact")

    groups = selectors.queue_groups(rep, "contact")
    assert {frozenset(g["ids"]) for g in groups} == {
        frozenset([one.pk, two.pk, three.pk]),
        frozenset([x.pk, y.pk]),
    }
    assert [g["points"] for g in groups] == sorted((g["points"] for g in groups), reverse=True)
    trio = next(g for g in groups if len(g["ids"]) == 3)
    assert len(trio["pairs"]) == 3

    page = client_for(rep).get(reverse("dedupe:queue")).content.decode()
    assert "2 groups to review · 4 pairs" in page
    link = re.search(r'class="button primary dup-merge-group" href="([^"]+)"', page).group(1)
    assert sorted(int(i) for i in re.findall(r"ids=(\d+)", link)) == sorted(
        [one.pk, two.pk, three.pk]
    )
    merge_page = client_for(rep).get(link.replace("&amp;", "&"))
    assert merge_page.status_code == 200 and len(merge_page.context["records"]) == 3


def test_the_group_shows_only_what_the_rep_may_see(client_for, rep, other_rep):
    mine = contact_create(by=rep, name="Сидоров Пётр", owner=rep, phones=phones("89161234567"))
    also = contact_create(by=rep, name="Петр Сидоров", owner=rep, phones=phones("+79161234567"))
    theirs = contact_create(by=other_rep, name="Пётр Сидоров", owner=other_rep,
                            phones=phones("9161234567"))  # fmt: skip
    services.scan_run("contact")
    assert CandidatePair.objects.filter(cluster__isnull=False).count() == 3
    groups = selectors.queue_groups(rep, "contact")
    assert [sorted(g["ids"]) for g in groups] == [sorted([mine.pk, also.pk])]
    page = client_for(rep).get(reverse("dedupe:queue")).content.decode()
    assert theirs.get_absolute_url() not in page and "dup-merge-group" not in page

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from voronka.activities.models import Activity
from voronka.activities.selectors import day_bounds
from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal

pytestmark = pytest.mark.django_db


def group_subjects(response, name):
    return [a.subject for a in getattr(response.context["groups"], name)]


@pytest.fixture
def day(rep, other_rep, stages):
    now = timezone.now()
    _, tomorrow, horizon = day_bounds(now)
    deal = make_deal(owner=rep, title="Поставка")
    acts = {
        "overdue": make_activity(deal=deal, owner=rep, subject="Просрочено", due_in_days=-2),
        "today": make_activity(
            deal=deal, owner=rep, subject="Сегодня", due_at=now + (tomorrow - now) / 2
        ),
        "later": make_activity(
            deal=deal, owner=rep, subject="Послезавтра", due_at=tomorrow + timedelta(days=1)
        ),
        "far": make_activity(owner=rep, subject="Через месяц", due_at=horizon + timedelta(days=20)),
        "done": make_activity(owner=rep, subject="Сделано", due_in_days=-1, done=True),
        "foreign": make_activity(owner=other_rep, subject="Чужое", due_in_days=-1),
    }
    return deal, acts


def test_my_day_groups(client_for, rep, day):
    response = client_for(rep).get(reverse("activities:my_day"))
    assert response.status_code == 200
    assert group_subjects(response, "overdue") == ["Просрочено"]
    assert group_subjects(response, "today") == ["Сегодня"]
    assert group_subjects(response, "upcoming") == ["Послезавтра"]
    html = response.content.decode()
    for hidden in ("Через месяц", "Сделано", "Чужое"):
        assert hidden not in html
    assert reverse("deals:detail", args=[day[0].pk]) in html
    assert "1 activity" in html


def test_group_counts_use_plural_forms(client_for, rep, day):
    make_activity(owner=rep, subject="Ещё одно", due_in_days=-3)
    html = client_for(rep).get(reverse("activities:my_day")).content.decode()
    assert "2 activities" in html  # overdue
    assert "1 activity<" in html  # today


def test_mark_done_removes_it_and_moves_next_step(client_for, rep, day):
    deal, acts = day
    deal.refresh_from_db()
    assert deal.next_step_at == acts["overdue"].due_at
    c = client_for(rep)
    response = c.post(
        reverse("activities:complete", args=[acts["overdue"].pk]), {"result": "Договорились"}
    )
    assert response.status_code == 302
    overdue = Activity.objects.get(pk=acts["overdue"].pk)
    assert overdue.done and overdue.result == "Договорились" and overdue.done_at
    deal.refresh_from_db()
    assert deal.next_step_at == acts["today"].due_at
    page = c.get(reverse("activities:my_day"))
    assert group_subjects(page, "overdue") == []
    assert f'id="activity-{overdue.pk}"' not in page.content.decode()


def test_mark_done_with_htmx_returns_the_refreshed_list(client_for, rep, day):
    _, acts = day
    response = client_for(rep).post(
        reverse("activities:complete", args=[acts["today"].pk]),
        {"day_user": rep.pk},
        headers={"HX-Request": "true", "HX-Target": "day"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="day">')
    assert "Сегодня</a>" not in html
    assert "Просрочено" in html


def test_reschedule(client_for, rep, day):
    deal, acts = day
    response = client_for(rep).post(
        reverse("activities:reschedule", args=[acts["overdue"].pk]),
        {"due_at": "2031-05-04T10:30"},
    )
    assert response.status_code == 302
    moved = Activity.objects.get(pk=acts["overdue"].pk)
    assert timezone.localtime(moved.due_at).strftime("%Y-%m-%d %H:%M") == "2031-05-04 10:30"
    deal.refresh_from_db()
    assert deal.next_step_at == acts["today"].due_at


def test_bad_due_date_is_a_form_error(client_for, rep, day):
    _, acts = day
    c = client_for(rep)
    before = list(Activity.all_objects.order_by("pk").values_list("pk", "due_at", "updated_at"))
    response = c.post(
        reverse("activities:reschedule", args=[acts["overdue"].pk]), {"due_at": "завтра утром"}
    )
    assert response.status_code == 400
    assert "Enter a valid date and time." in response.content.decode()
    response = c.post(
        reverse("activities:create"), {"subject": "Задача", "kind": "task", "due_at": "32.13.2026"}
    )
    assert response.status_code == 400
    assert "due_at" in response.context["task_form"].errors
    after = list(Activity.all_objects.order_by("pk").values_list("pk", "due_at", "updated_at"))
    assert after == before


def test_create_task_for_myself(client_for, rep, other_rep):
    c = client_for(rep)
    response = c.post(
        reverse("activities:create"),
        {
            "subject": "Подготовить КП",
            "kind": "task",
            "due_at": "2030-01-10T09:00",
            "owner": other_rep.pk,
        },
    )
    assert response.status_code == 302
    task = Activity.objects.get()
    assert (task.subject, task.kind, task.owner) == ("Подготовить КП", "task", rep)


def test_foreign_rep_cannot_touch_activity(client_for, other_rep, day):
    _, acts = day
    c = client_for(other_rep)
    before = list(
        Activity.all_objects.order_by("pk").values_list("pk", "done", "due_at", "updated_at")
    )
    deal_before = list(Deal.all_objects.values_list("pk", "next_step_at", "updated_at"))
    pk = acts["overdue"].pk
    assert c.post(reverse("activities:complete", args=[pk])).status_code == 404
    assert (
        c.post(
            reverse("activities:reschedule", args=[pk]), {"due_at": "2030-01-01T10:00"}
        ).status_code
        == 404
    )
    assert c.get(reverse("activities:edit", args=[pk])).status_code == 404
    assert c.post(reverse("activities:edit", args=[pk]), {"subject": "x"}).status_code == 404
    after = list(
        Activity.all_objects.order_by("pk").values_list("pk", "done", "due_at", "updated_at")
    )
    assert after == before
    assert list(Deal.all_objects.values_list("pk", "next_step_at", "updated_at")) == deal_before


def test_rep_cannot_look_at_another_reps_day(client_for, rep, other_rep, day):
    response = client_for(other_rep).get(reverse("activities:my_day"), {"user": rep.pk})
    assert response.context["member"] == other_rep
    assert "Просрочено" not in response.content.decode()


def test_head_selects_a_team_members_day(client_for, head, rep, rep_other_team, day):
    c = client_for(head)
    response = c.get(reverse("activities:my_day"), {"user": rep.pk})
    assert response.context["member"] == rep
    assert group_subjects(response, "overdue") == ["Просрочено"]
    response = c.get(reverse("activities:my_day"), {"user": rep_other_team.pk})
    assert response.context["member"] == head


def test_edit_activity(client_for, rep, day):
    _, acts = day
    c = client_for(rep)
    assert c.get(reverse("activities:edit", args=[acts["later"].pk])).status_code == 200
    response = c.post(
        reverse("activities:edit", args=[acts["later"].pk]),
        {
            "kind": "meeting",
            "subject": "Встреча в офисе",
            "due_at": "2030-02-01T15:00",
            "result": "",
        },
    )
    assert response.status_code == 302
    act = Activity.objects.get(pk=acts["later"].pk)
    assert (act.kind, act.subject, act.done) == ("meeting", "Встреча в офисе", False)
    bad = c.post(
        reverse("activities:edit", args=[acts["later"].pk]),
        {"kind": "meeting", "subject": "Другое", "due_at": "not a date"},
    )
    assert bad.status_code == 400
    assert Activity.objects.get(pk=acts["later"].pk).subject == "Встреча в офисе"


def test_methods_are_declared(client_for, rep, day):
    _, acts = day
    c = client_for(rep)
    assert c.get(reverse("activities:complete", args=[acts["today"].pk])).status_code == 405
    assert c.post(reverse("activities:my_day")).status_code == 405

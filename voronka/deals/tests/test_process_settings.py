"""Process settings screens: pipelines, stages, exit criteria, lost reasons."""

from datetime import date

import pytest
from django.urls import reverse

from voronka.core.testing import make_deal
from voronka.deals.choices import StageKind
from voronka.deals.errors import DealError
from voronka.deals.models import (
    Deal,
    DealAnswer,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    StageCriterion,
)
from voronka.deals.services import (
    deal_answer,
    deal_delete,
    deal_mark_lost,
    deal_move,
    describe_missing,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def counts():
    return (
        Pipeline.objects.count(),
        Stage.objects.count(),
        StageCriterion.objects.count(),
        LostReason.objects.count(),
        tuple(Pipeline.objects.values_list("pk", "name", "order", "is_active")),
        tuple(
            Stage.objects.values_list(
                "pk", "name", "order", "kind", "probability", "is_lead_stage", "stale_after_days"
            )
        ),
        tuple(StageCriterion.objects.values_list("pk", "label", "order", "is_active")),
        tuple(LostReason.objects.values_list("pk", "name", "order", "is_active")),
    )


def stage_data(**over):
    data = {
        "stage-name": "Переговоры",
        "stage-kind": "open",
        "stage-probability": "30",
        "stage-stale_after_days": "",
    }
    data.update({f"stage-{k}": v for k, v in over.items()})
    return data


def criterion_data(stage, **fields):
    return {f"c{stage.pk}-{k}": v for k, v in fields.items()}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------- the whole flow


def test_head_builds_a_pipeline_whose_question_blocks_a_move(head, rep, client_for):
    c = client_for(head)
    r = c.post(reverse("deals:pipeline_create"), {"name": "Тендеры"})
    pipeline = Pipeline.objects.get(name="Тендеры")
    assert r.status_code == 302 and r["Location"] == reverse(
        "deals:pipeline_edit", args=[pipeline.pk]
    )
    kinds = list(pipeline.stages.order_by("order").values_list("kind", flat=True))
    assert kinds == ["open", "won", "lost"]
    assert pipeline.history.first().history_user == head

    r = c.post(reverse("deals:stage_create", args=[pipeline.pk]), stage_data(name="Переговоры"))
    assert r.status_code == 302
    talks = Stage.objects.get(pipeline=pipeline, name="Переговоры")
    # A new open stage goes after the open ones, before won and lost.
    assert list(pipeline.stages.order_by("order").values_list("kind", flat=True)) == [
        "open",
        "open",
        "won",
        "lost",
    ]
    assert pipeline.stages.order_by("order")[1] == talks

    question = "Бюджет на закупку утверждён?"
    r = c.post(
        reverse("deals:criterion_create", args=[talks.pk]),
        criterion_data(talks, kind="question", label=question, milestone_date="planned"),
        **HTMX,
    )
    assert r.status_code == 200
    assert question in r.content.decode()
    criterion = StageCriterion.objects.get(stage=talks)
    assert (criterion.kind, criterion.label, criterion.is_active) == ("question", question, True)
    assert criterion.history.first().history_user == head

    page = c.get(reverse("deals:pipeline_edit", args=[pipeline.pk]))
    assert question in page.content.decode()

    won = pipeline.stages.get(kind=StageKind.WON)
    deal = make_deal(owner=rep, stage=talks)
    with pytest.raises(DealError) as err:
        deal_move(deal, won, rep, contract_actual=date(2026, 11, 1))
    assert err.value.code == "criteria_missing"
    assert [(m.kind, m.label, m.criterion_id) for m in err.value.missing] == [
        ("question", question, criterion.pk)
    ]
    assert question in describe_missing(err.value.missing[0])
    assert Deal.objects.get(pk=deal.pk).stage_id == talks.pk

    deal_answer(deal, criterion, "yes", rep)
    assert deal_move(deal, won, rep, contract_actual=date(2026, 11, 1)).stage_id == won.pk


def test_a_deactivated_criterion_no_longer_blocks(head, rep, client_for, stages):
    c = client_for(head)
    crit = StageCriterion.objects.get(stage=stages["qualification"], kind="next_step")
    deal = make_deal(owner=rep, stage=stages["qualification"])
    with pytest.raises(DealError):
        deal_move(deal, stages["probability"], rep)
    r = c.post(reverse("deals:criterion_toggle", args=[crit.pk]), {}, **HTMX)
    assert r.status_code == 200
    crit.refresh_from_db()
    assert crit.is_active is False
    assert deal_move(deal, stages["probability"], rep).stage_id == stages["probability"].pk
    c.post(reverse("deals:criterion_toggle", args=[crit.pk]), {"is_active": "on"})
    crit.refresh_from_db()
    assert crit.is_active is True


# ---------------------------------------------------------------- who may


def settings_requests(pipeline, stages):
    stage = stages["probability"]
    crit = StageCriterion.objects.filter(stage=stage).first()
    reason = LostReason.objects.first()
    return [
        ("get", reverse("deals:pipeline_settings"), {}),
        ("post", reverse("deals:pipeline_create"), {"name": "Чужая"}),
        ("get", reverse("deals:pipeline_edit", args=[pipeline.pk]), {}),
        ("post", reverse("deals:pipeline_edit", args=[pipeline.pk]), {"name": "X"}),
        ("post", reverse("deals:pipeline_reorder", args=[pipeline.pk]), {"direction": "down"}),
        ("post", reverse("deals:pipeline_toggle", args=[pipeline.pk]), {}),
        ("get", reverse("deals:stage_create", args=[pipeline.pk]), {}),
        ("post", reverse("deals:stage_create", args=[pipeline.pk]), stage_data()),
        ("get", reverse("deals:stage_edit", args=[stage.pk]), {}),
        ("post", reverse("deals:stage_edit", args=[stage.pk]), stage_data(name="X")),
        ("post", reverse("deals:stage_delete", args=[stages["lead"].pk]), {}),
        ("post", reverse("deals:stage_reorder", args=[stage.pk]), {"direction": "up"}),
        (
            "post",
            reverse("deals:criterion_create", args=[stage.pk]),
            criterion_data(stage, kind="question", label="?"),
        ),
        ("get", reverse("deals:criterion_edit", args=[crit.pk]), {}),
        ("post", reverse("deals:criterion_edit", args=[crit.pk]), {"kind": "next_step"}),
        ("post", reverse("deals:criterion_toggle", args=[crit.pk]), {}),
        ("post", reverse("deals:criterion_delete", args=[crit.pk]), {}),
        ("post", reverse("deals:criterion_reorder", args=[crit.pk]), {"direction": "down"}),
        ("get", reverse("deals:lostreason_list"), {}),
        ("post", reverse("deals:lostreason_create"), {"name": "Новая"}),
        ("get", reverse("deals:lostreason_edit", args=[reason.pk]), {}),
        ("post", reverse("deals:lostreason_edit", args=[reason.pk]), {"name": "X"}),
        ("post", reverse("deals:lostreason_toggle", args=[reason.pk]), {}),
        ("post", reverse("deals:lostreason_reorder", args=[reason.pk]), {"direction": "down"}),
        ("post", reverse("deals:lostreason_delete", args=[reason.pk]), {}),
    ]


def test_a_rep_gets_404_on_every_settings_url_and_nothing_changes(
    rep, client_for, pipeline, stages
):
    c = client_for(rep)
    before = counts()
    for method, url, data in settings_requests(pipeline, stages):
        r = getattr(c, method)(url, data)
        assert r.status_code == 404, (method, url, r.status_code)
        r = getattr(c, method)(url, data, **HTMX)
        assert r.status_code == 404, (method, url, r.status_code)
    assert counts() == before


def test_anonymous_is_sent_to_login_and_nothing_changes(client, pipeline, stages):
    before = counts()
    for method, url, data in settings_requests(pipeline, stages):
        r = getattr(client, method)(url, data)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], (method, url)
    assert counts() == before


@pytest.mark.parametrize("who", ["head", "admin_user"])
def test_head_and_admin_reach_every_settings_page(who, request, client_for, pipeline, stages):
    c = client_for(request.getfixturevalue(who))
    for method, url, _data in settings_requests(pipeline, stages):
        if method == "get":
            assert c.get(url).status_code == 200, url


def test_the_navigation_links_to_settings_only_for_managers(head, rep, client_for, pipeline):
    url = reverse("deals:pipeline_settings")
    page = client_for(head).get(url).content.decode()
    assert f'href="{url}"' in page
    assert reverse("deals:lostreason_list") in page


# ---------------------------------------------------------------- stages


@pytest.mark.parametrize("value", ["150", "-1", "abc"])
def test_probability_outside_0_100_is_a_form_error(value, head, client_for, pipeline):
    c = client_for(head)
    before = counts()
    r = c.post(reverse("deals:stage_create", args=[pipeline.pk]), stage_data(probability=value))
    assert r.status_code == 200
    assert r.context["form"].errors["probability"]
    assert 'class="errorlist' in r.content.decode()
    assert counts() == before


def test_probability_150_on_edit_is_refused(head, client_for, stages):
    stage = stages["probability"]
    r = client_for(head).post(
        reverse("deals:stage_edit", args=[stage.pk]), stage_data(name="X", probability="150")
    )
    assert "probability" in r.context["form"].errors
    stage.refresh_from_db()
    assert (stage.name, stage.probability) != ("X", 150)
    assert stage.probability == 40


def test_a_second_won_stage_is_refused(head, client_for, pipeline, stages):
    c = client_for(head)
    before = counts()
    r = c.post(
        reverse("deals:stage_create", args=[pipeline.pk]),
        stage_data(name="Ещё успех", kind="won", probability="100"),
    )
    assert r.context["form"].errors["kind"] == [
        "This pipeline already has a won stage; it may have only one."
    ]
    r = c.post(
        reverse("deals:stage_edit", args=[stages["lost"].pk]),
        stage_data(name=stages["lost"].name, kind="won", probability="0"),
    )
    assert r.context["form"].errors["kind"]
    r = c.post(
        reverse("deals:stage_edit", args=[stages["closing"].pk]),
        stage_data(name="Закрытие", kind="lost", probability="0"),
    )
    assert r.context["form"].errors["kind"]
    assert counts() == before


def test_the_only_won_or_lost_stage_cannot_be_deleted_or_reopened(head, client_for, stages):
    c = client_for(head)
    before = counts()
    for key in ("won", "lost"):
        r = c.post(reverse("deals:stage_delete", args=[stages[key].pk]), **HTMX)
        assert "needs exactly one" in r.content.decode()
        r = c.post(
            reverse("deals:stage_edit", args=[stages[key].pk]),
            stage_data(name="X", kind="open"),
        )
        assert "needs exactly one" in " ".join(r.context["form"].errors["kind"])
    assert counts() == before


def test_deleting_a_stage_that_holds_deals_is_refused_with_the_count(
    head, rep, client_for, pipeline, stages
):
    c = client_for(head)
    stage = Stage.objects.create(pipeline=pipeline, name="Пилот", order=35, kind="open")
    make_deal(owner=rep, stage=stage)
    gone = make_deal(owner=rep, stage=stage)
    deal_delete(gone, rep)  # in the recycle bin, still in the stage
    before = counts()
    r = c.post(reverse("deals:stage_delete", args=[stage.pk]), **HTMX)
    assert r.status_code == 200
    assert "This stage still holds 2 deals" in r.content.decode()
    assert counts() == before

    Deal.objects.filter(stage=stage).delete()  # one left, in the recycle bin
    r = c.post(reverse("deals:stage_delete", args=[stage.pk]), follow=True)
    assert any("This stage still holds 1 deal " in m for m in messages_of(r))
    assert Stage.objects.filter(pk=stage.pk).exists()


def test_a_stage_deals_passed_through_cannot_be_deleted(head, rep, client_for, pipeline, stages):
    stage = Stage.objects.create(pipeline=pipeline, name="Пилот", order=5, kind="open")
    deal = make_deal(owner=rep, stage=stage)
    deal_move(deal, stages["lead"], rep)
    r = client_for(head).post(reverse("deals:stage_delete", args=[stage.pk]), **HTMX)
    assert "1 deal has passed through this stage" in r.content.decode()
    assert Stage.objects.filter(pk=stage.pk).exists()
    assert StageChange.objects.filter(to_stage=stage).exists()


def test_an_empty_stage_is_deleted_with_its_criteria(head, client_for, pipeline):
    c = client_for(head)
    c.post(reverse("deals:stage_create", args=[pipeline.pk]), stage_data(name="Лишний"))
    stage = Stage.objects.get(name="Лишний")
    c.post(
        reverse("deals:criterion_create", args=[stage.pk]),
        criterion_data(stage, kind="next_step"),
    )
    assert stage.criteria.count() == 1
    r = c.post(reverse("deals:stage_delete", args=[stage.pk]), **HTMX)
    assert "The stage is deleted." in r.content.decode()
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert not StageCriterion.objects.filter(stage_id=stage.pk).exists()
    assert Stage.history.filter(id=stage.pk, history_type="-").get().history_user == head


def test_html_in_a_stage_name_is_rendered_escaped(head, client_for, pipeline):
    c = client_for(head)
    name = '<script>alert("x")</script><b>Жирный</b>'
    c.post(reverse("deals:stage_create", args=[pipeline.pk]), stage_data(name=name))
    stage = Stage.objects.get(name=name)
    for response in (
        c.get(reverse("deals:pipeline_edit", args=[pipeline.pk])),
        c.post(reverse("deals:stage_reorder", args=[stage.pk]), {"direction": "up"}, **HTMX),
        c.get(reverse("deals:stage_edit", args=[stage.pk])),
    ):
        html = response.content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in html
        assert "<script>alert" not in html and "<b>Жирный" not in html


def test_stages_move_up_and_down_by_htmx_and_open_stays_before_closed(head, client_for, stages):
    c = client_for(head)
    url = reverse("deals:stage_reorder", args=[stages["probability"].pk])
    r = c.post(url, {"direction": "up"}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="stages">') and "<html" not in html
    names = list(
        Stage.objects.filter(pipeline=stages["lead"].pipeline)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    keys = ["lead", "probability", "qualification", "closing", "won", "lost"]
    assert names == [stages[k].pk for k in keys]
    # The last open stage does not move past the won stage, nor won above an open stage.
    c.post(reverse("deals:stage_reorder", args=[stages["closing"].pk]), {"direction": "down"})
    c.post(reverse("deals:stage_reorder", args=[stages["won"].pk]), {"direction": "up"})
    names = list(
        Stage.objects.filter(pipeline=stages["lead"].pipeline)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    assert names == [stages[k].pk for k in keys]
    # Won and lost swap between themselves.
    r = c.post(reverse("deals:stage_reorder", args=[stages["won"].pk]), {"direction": "down"})
    assert r.status_code == 302
    last_two = list(Stage.objects.order_by("-order").values_list("kind", flat=True)[:2])
    assert last_two == ["won", "lost"]


def test_stage_edit_saves_every_setting(head, client_for, stages):
    stage = stages["closing"]
    r = client_for(head).post(
        reverse("deals:stage_edit", args=[stage.pk]),
        stage_data(name="Подписание", probability="80", stale_after_days="5", is_lead_stage="on"),
    )
    assert r.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.probability, stage.stale_after_days, stage.is_lead_stage) == (
        "Подписание",
        80,
        5,
        True,
    )
    assert stage.history.first().history_user == head


def test_a_won_stage_cannot_be_the_lead_inbox(head, client_for, stages):
    r = client_for(head).post(
        reverse("deals:stage_edit", args=[stages["won"].pk]),
        stage_data(name="Успех", kind="won", probability="100", is_lead_stage="on"),
    )
    assert r.context["form"].errors["is_lead_stage"]
    stages["won"].refresh_from_db()
    assert not stages["won"].is_lead_stage


def test_the_pipeline_page_keeps_its_query_count(
    head, client_for, pipeline, django_assert_max_num_queries
):
    c = client_for(head)
    for i in range(5):
        c.post(reverse("deals:stage_create", args=[pipeline.pk]), stage_data(name=f"Этап {i}"))
    with django_assert_max_num_queries(12):
        r = c.get(reverse("deals:pipeline_edit", args=[pipeline.pk]))
    assert r.status_code == 200


# ---------------------------------------------------------------- exit criteria


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "question", "label": "  "}, "label", "Write the question."),
        ({"kind": "field"}, "field", "Choose the field that must be filled."),
        ({"kind": "field", "field": "salary"}, "field", None),
        ({"kind": "milestone", "milestone_date": "planned"}, "milestone", "Choose the milestone."),
        ({"kind": "teleport"}, "kind", None),
        ({"kind": "next_step"}, "kind", "This stage already has this exit criterion."),
    ],
)
def test_invalid_criteria_are_form_errors(fields, field, message, head, client_for, stages):
    stage = stages["qualification"]  # already has a next-step criterion
    before = counts()
    r = client_for(head).post(
        reverse("deals:criterion_create", args=[stage.pk]), criterion_data(stage, **fields), **HTMX
    )
    assert r.status_code == 200
    form = next(row["form"] for row in r.context["rows"] if row["stage"].pk == stage.pk)
    assert form.errors[field]
    if message:
        assert form.errors[field] == [message]
        assert message in r.content.decode()
    assert counts() == before


def test_closed_stages_take_no_criteria(head, client_for, stages):
    before = counts()
    for key in ("won", "lost"):
        stage = stages[key]
        r = client_for(head).post(
            reverse("deals:criterion_create", args=[stage.pk]),
            criterion_data(stage, kind="next_step"),
            follow=True,
        )
        assert "Only open stages have exit criteria." in messages_of(r)
    assert counts() == before


def test_field_and_milestone_criteria_keep_only_their_own_fields(head, client_for, stages):
    c = client_for(head)
    stage = stages["lead"]
    c.post(
        reverse("deals:criterion_create", args=[stage.pk]),
        criterion_data(stage, kind="field", field="company", label="ignored", milestone="invoice"),
    )
    c.post(
        reverse("deals:criterion_create", args=[stage.pk]),
        criterion_data(stage, kind="milestone", milestone="invoice", milestone_date="actual"),
    )
    rows = list(
        StageCriterion.objects.filter(stage=stage)
        .order_by("order")
        .values_list("kind", "label", "field", "milestone", "milestone_date")
    )
    assert rows == [
        ("field", "", "company", "", ""),
        ("milestone", "", "", "invoice", "actual"),
    ]


def test_criterion_edit_reorder_and_history(head, client_for, stages):
    c = client_for(head)
    stage = stages["probability"]
    first, second, third = stage.criteria.order_by("order", "pk")
    r = c.post(
        reverse("deals:criterion_edit", args=[second.pk]),
        {"kind": "question", "label": "Есть ли подписант?", "milestone_date": "planned"},
    )
    assert r.status_code == 302
    second.refresh_from_db()
    assert (second.label, second.is_active) == ("Есть ли подписант?", False)
    assert second.history.first().history_user == head
    assert second.history.filter(history_type="~").count() == 1

    c.post(reverse("deals:criterion_reorder", args=[third.pk]), {"direction": "up"}, **HTMX)
    assert list(stage.criteria.order_by("order").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]


def test_an_answered_question_is_not_deleted_but_can_be_deactivated(head, rep, client_for, stages):
    c = client_for(head)
    crit = stages["probability"].criteria.filter(kind="question").first()
    deal = make_deal(owner=rep, stage=stages["probability"])
    deal_answer(deal, crit, "no", rep)
    before = counts()
    r = c.post(reverse("deals:criterion_delete", args=[crit.pk]), **HTMX)
    assert "1 deal has answered this question" in r.content.decode()
    assert counts() == before
    assert DealAnswer.objects.filter(criterion=crit).count() == 1
    r = c.post(
        reverse("deals:criterion_edit", args=[crit.pk]),
        {"kind": "next_step", "is_active": "on"},
    )
    assert r.context["form"].errors["kind"]
    assert counts() == before


def test_an_unanswered_criterion_is_deleted(head, client_for, stages):
    crit = StageCriterion.objects.get(stage=stages["qualification"])
    r = client_for(head).post(reverse("deals:criterion_delete", args=[crit.pk]), follow=True)
    assert not StageCriterion.objects.filter(pk=crit.pk).exists()
    assert "The exit criterion is deleted." in messages_of(r)


# ---------------------------------------------------------------- pipelines


def test_pipelines_are_renamed_deactivated_and_ordered(head, client_for, pipeline):
    c = client_for(head)
    c.post(reverse("deals:pipeline_create"), {"name": "Партнёры"})
    second = Pipeline.objects.get(name="Партнёры")
    assert second.order > pipeline.order

    r = c.post(reverse("deals:pipeline_reorder", args=[second.pk]), {"direction": "up"}, **HTMX)
    assert r.status_code == 200 and 'id="pipelines"' in r.content.decode()
    assert list(Pipeline.objects.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        pipeline.pk,
    ]

    r = c.post(reverse("deals:pipeline_edit", args=[second.pk]), {"name": "Дилеры"})
    second.refresh_from_db()
    assert (second.name, second.is_active) == ("Дилеры", False)

    # The last active pipeline stays active.
    r = c.post(reverse("deals:pipeline_toggle", args=[pipeline.pk]), {}, **HTMX)
    assert "At least one pipeline must stay active." in r.content.decode()
    pipeline.refresh_from_db()
    assert pipeline.is_active

    c.post(reverse("deals:pipeline_toggle", args=[second.pk]), {"is_active": "on"})
    c.post(reverse("deals:pipeline_toggle", args=[pipeline.pk]), {})
    pipeline.refresh_from_db()
    second.refresh_from_db()
    assert (pipeline.is_active, second.is_active) == (False, True)


def test_a_pipeline_needs_a_name(head, client_for, pipeline):
    before = counts()
    r = client_for(head).post(reverse("deals:pipeline_create"), {"name": "   "})
    assert r.context["create_form"].errors["name"]
    assert counts() == before


# ---------------------------------------------------------------- lost reasons


def test_lost_reasons_add_rename_deactivate_order(head, client_for, pipeline):
    c = client_for(head)
    r = c.post(reverse("deals:lostreason_create"), {"name": "Ушли в отпуск"}, **HTMX)
    assert r.status_code == 200 and "Ушли в отпуск" in r.content.decode()
    reason = LostReason.objects.get(name="Ушли в отпуск")
    assert reason.order == LostReason.objects.order_by("-order").first().order

    before = counts()
    r = c.post(reverse("deals:lostreason_create"), {"name": "ушли в отпуск"}, **HTMX)
    assert "A lost reason with this name already exists." in r.content.decode()
    assert counts() == before

    r = c.post(reverse("deals:lostreason_edit", args=[reason.pk]), {"name": "Отпуск"})
    assert r.status_code == 302
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Отпуск", False)
    c.post(reverse("deals:lostreason_toggle", args=[reason.pk]), {"is_active": "on"})
    reason.refresh_from_db()
    assert reason.is_active

    c.post(reverse("deals:lostreason_reorder", args=[reason.pk]), {"direction": "up"})
    names = list(LostReason.objects.order_by("order").values_list("pk", flat=True))
    assert names[-2] == reason.pk


def test_a_used_lost_reason_is_not_deleted_only_deactivated(head, rep, client_for, stages):
    c = client_for(head)
    used = LostReason.objects.first()
    deal = make_deal(owner=rep, stage=stages["lead"])
    deal_mark_lost(deal, used, rep)
    before = counts()
    r = c.post(reverse("deals:lostreason_delete", args=[used.pk]), **HTMX)
    assert "1 deal gives this reason" in r.content.decode()
    assert counts() == before

    # A reopened deal no longer gives the reason, but its history does.
    deal_move(deal, stages["lead"], rep)
    r = c.post(reverse("deals:lostreason_delete", args=[used.pk]), **HTMX)
    assert "The history of deals refers to this reason" in r.content.decode()
    assert counts() == before

    c.post(reverse("deals:lostreason_toggle", args=[used.pk]), {})
    used.refresh_from_db()
    assert used.is_active is False

    unused = LostReason.objects.exclude(pk=used.pk).first()
    r = c.post(reverse("deals:lostreason_delete", args=[unused.pk]), **HTMX)
    assert "The lost reason is deleted." in r.content.decode()
    assert not LostReason.objects.filter(pk=unused.pk).exists()

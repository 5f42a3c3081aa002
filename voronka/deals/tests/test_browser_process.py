"""In a real browser: a head of sales adds a control question to a stage."""

import pytest
from playwright.sync_api import expect

from voronka.deals.models import StageCriterion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_adds_a_control_question_to_a_stage(head, pipeline, stages, login_page):
    page = login_page(head)
    page.click("nav#main-nav >> text=Pipelines")
    expect(page.locator("h1")).to_have_text("Pipelines")
    page.click(f"#pipeline-{pipeline.pk} a")

    stage = stages["closing"]
    card = page.locator(f"#stage-{stage.pk}")
    expect(card.locator("h3")).to_have_text(stage.name)
    card.locator("summary").click()
    form = card.locator("form.criterion-form")
    label_box = form.locator("[data-for=label]")
    form.locator("select[name$=kind]").select_option("next_step")
    expect(label_box).to_be_hidden()  # the question input shows only for a question
    form.locator("select[name$=kind]").select_option("question")
    expect(label_box).to_be_visible()
    question = "Согласован ли график поставки?"
    form.locator("input[name$=label]").fill(question)
    with page.expect_response(lambda r: "/criteria/new/" in r.url and r.status == 200):
        form.locator("button[type=submit]").click()

    # The stages block is swapped in place: the question is listed under its stage.
    card = page.locator(f"#stage-{stage.pk}")
    expect(card.locator("ol.criteria li").last).to_contain_text(question)
    expect(page.locator("#stages [role=status]")).to_have_text("The exit criterion is added.")
    assert StageCriterion.objects.filter(stage=stage, kind="question", label=question).exists()

    # And it stays there after a reload.
    page.reload()
    expect(page.locator(f"#stage-{stage.pk} ol.criteria")).to_contain_text(question)

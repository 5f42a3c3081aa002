"""The deal page: fields, edit with optimistic locking, questions, next step, notes, files,
delete, timeline, scope and query count."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from voronka.activities.models import Activity, Attachment, Note
from voronka.core.testing import make_activity, make_company, make_contact, make_deal
from voronka.deals.models import Deal, DealAnswer, StageCriterion
from voronka.deals.services import deal_update

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def url(name, deal, *extra):
    return reverse(f"deals:{name}", args=[deal.pk, *extra])


def edit_data(deal, **over):
    data = {
        "version": deal.version,
        "title": deal.title,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "owner": deal.owner_id or "",
        "company": deal.company_id or "",
        "source": deal.source,
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def state(deal):
    d = Deal.all_objects.get(pk=deal.pk)
    return (d.title, d.amount, d.currency, d.owner_id, d.company_id, d.version, d.deleted_at)


def test_deal_page_shows_the_fields(client_for, rep, stages):
    company = make_company(owner=rep, name="ООО Вектор")
    deal = make_deal(owner=rep, stage=stages["qualification"], company=company, amount=12345)
    html = client_for(rep).get(url("detail", deal)).content.decode()
    assert deal.title in html
    assert "ООО Вектор" in html
    assert "12,345.00" in html
    assert stages["qualification"].name in html
    assert "What is missing to leave this stage" in html
    assert "Schedule a next step" in html  # the missing panel of Qualification
    assert 'name="contract_planned"' in html and 'name="payment_actual"' in html


def test_edit_saves_and_records_a_field_change(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"], amount=Decimal("100000"))
    c = client_for(rep)
    response = c.post(url("edit", deal), edit_data(deal, amount="250 000,50"))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("250000.50")
    assert deal.version == 2
    html = c.get(url("detail", deal)).content.decode()
    timeline = html.split('id="timeline"')[1]
    assert "Amount" in timeline
    assert "100,000.00" in timeline and "250,000.50" in timeline


def test_conflicting_edit_is_refused_with_a_message(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"], amount=Decimal("100"))
    stale = edit_data(deal, amount="999")
    deal_update(deal, by=rep, expected_version=deal.version, title="Saved by someone else")
    before = state(deal)
    response = client_for(rep).post(url("edit", deal), stale)
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.content.decode()
    assert state(deal) == before


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("amount", "-5", "The amount cannot be negative."),
        ("amount", "abc", "Enter the amount as a number."),
        ("currency", "XXX", "Select a valid choice"),
        ("title", "x" * 301, "at most 300 characters"),
        ("title", "", "This field is required."),
    ],
)
def test_invalid_fields_are_form_errors(client_for, rep, stages, field, value, message):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    before = state(deal)
    response = client_for(rep).post(url("edit", deal), edit_data(deal, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(deal) == before


def test_a_ten_megabyte_title_is_an_error_not_a_crash(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    before = state(deal)
    response = client_for(rep).post(url("edit", deal), edit_data(deal, title="x" * 10_000_000))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert state(deal) == before


def test_rep_cannot_assign_the_deal_to_someone_else(client_for, rep, other_rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    html = c.get(url("detail", deal)).content.decode()
    owner_select = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert f'value="{rep.pk}"' in owner_select
    assert f'value="{other_rep.pk}"' not in owner_select
    response = c.post(url("edit", deal), edit_data(deal, owner=other_rep.pk, source="fair"))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.owner == rep
    assert deal.source == "fair"


def test_head_can_assign_within_the_team_only(
    client_for, head, rep, other_rep, rep_other_team, stages
):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(head)
    before = state(deal)
    response = c.post(url("edit", deal), edit_data(deal, owner=rep_other_team.pk))
    assert response.status_code == 400
    assert state(deal) == before
    response = c.post(url("edit", deal), edit_data(deal, owner=other_rep.pk))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.owner == other_rep


def test_company_and_contacts_must_be_visible(client_for, rep, other_rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    hidden_company = make_company(owner=other_rep)
    hidden_contact = make_contact(owner=other_rep)
    c = client_for(rep)
    before = state(deal)
    response = c.post(url("edit", deal), edit_data(deal, company=hidden_company.pk))
    assert response.status_code == 400
    assert state(deal) == before
    response = c.post(url("edit", deal), edit_data(deal, contacts=[hidden_contact.pk]))
    assert response.status_code == 400
    assert not deal.contacts.exists()
    mine = make_contact(owner=rep)
    response = c.post(url("edit", deal), edit_data(deal, contacts=[mine.pk]))
    assert response.status_code == 302
    assert list(deal.contacts.all()) == [mine]


def test_control_questions_are_answered(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["probability"])
    question = StageCriterion.objects.filter(stage=stages["probability"], kind="question").first()
    c = client_for(rep)
    html = c.get(url("detail", deal)).content.decode()
    assert question.label in html
    response = c.post(
        url("answer", deal),
        {"criterion": question.pk, "answer": "yes", "note": "Budget approved"},
        headers=HX,
    )
    assert response.status_code == 200
    answer = DealAnswer.objects.get(deal=deal, criterion=question)
    assert (answer.answer, answer.note, answer.answered_by) == ("yes", "Budget approved", rep)
    part = response.content.decode()
    deal.refresh_from_db()
    # The missing panel and the version of the page's forms are refreshed out of band.
    assert 'id="missing-panel" hx-swap-oob="true"' in part
    assert f'id="id_version" value="{deal.version}" hx-swap-oob="true"' in part
    assert question.label not in part.split('id="missing-panel"')[1]


def test_answer_to_a_question_of_another_pipeline_is_404(client_for, rep, stages):
    from voronka.deals.models import Pipeline, Stage

    other = Pipeline.objects.create(name="Other", order=3)
    stage = Stage.objects.create(pipeline=other, name="X", order=0)
    foreign = StageCriterion.objects.create(stage=stage, kind="question", label="Foreign?")
    deal = make_deal(owner=rep, stage=stages["probability"])
    response = client_for(rep).post(url("answer", deal), {"criterion": foreign.pk, "answer": "yes"})
    assert response.status_code == 404
    assert not DealAnswer.objects.exists()


def test_schedule_a_next_step_and_mark_it_done(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    day = dt.date.today() + dt.timedelta(days=3)
    response = c.post(
        url("add_activity", deal),
        {"kind": "meeting", "subject": "Demo", "due_date": day.isoformat(), "due_time": "11:30"},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(deal=deal)
    assert (activity.kind, activity.subject, activity.owner) == ("meeting", "Demo", rep)
    deal.refresh_from_db()
    assert deal.next_step_at == activity.due_at
    html = c.get(url("detail", deal)).content.decode()
    assert "Nothing: the deal may move on." in html
    response = c.post(url("activity_done", deal, activity.pk), {"result": "Went well"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.done and activity.result == "Went well"


def test_invalid_next_step_is_not_saved(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    response = client_for(rep).post(
        url("add_activity", deal), {"kind": "call", "subject": "", "due_date": "tomorrow"}
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_activity_of_another_deal_cannot_be_marked_done_through_this_one(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    other_deal = make_deal(owner=rep, stage=stages["qualification"])
    activity = make_activity(deal=other_deal, owner=rep)
    response = client_for(rep).post(url("activity_done", deal, activity.pk))
    assert response.status_code == 404
    activity.refresh_from_db()
    assert not activity.done


def test_notes_and_files(client_for, rep, stages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    response = c.post(url("add_note", deal), {"body": "Talked to <b>CFO</b>"})
    assert response.status_code == 302
    assert Note.objects.get(deal=deal).author == rep
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = c.post(url("add_attachment", deal), {"file": upload})
    assert response.status_code == 302
    att = Attachment.objects.get(deal=deal)
    assert (att.original_name, att.size) == ("offer.pdf", 13)
    html = c.get(url("detail", deal)).content.decode()
    assert "Talked to &lt;b&gt;CFO&lt;/b&gt;" in html
    assert "offer.pdf" in html


def test_a_file_over_the_limit_is_refused(client_for, rep, stages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.VORONKA_MAX_ATTACHMENT_BYTES = 10
    deal = make_deal(owner=rep, stage=stages["qualification"])
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    response = client_for(rep).post(url("add_attachment", deal), {"file": upload})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Attachment.all_objects.exists()


def test_delete_sends_the_deal_to_the_recycle_bin(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    response = c.post(url("delete", deal))
    assert response.status_code == 302
    assert Deal.all_objects.get(pk=deal.pk).deleted_at is not None
    assert c.get(url("detail", deal)).status_code == 404


@pytest.mark.parametrize("intruder", ["other_rep", "rep_other_team"])
def test_another_reps_deal_is_404_everywhere_and_unchanged(
    client_for, rep, stages, intruder, request, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(owner=rep, stage=stages["probability"])
    activity = make_activity(deal=deal, owner=rep)
    question = StageCriterion.objects.filter(stage=stages["probability"], kind="question").first()
    c = client_for(request.getfixturevalue(intruder))
    before = state(deal)
    assert c.get(url("detail", deal)).status_code == 404
    posts = [
        (url("edit", deal), edit_data(deal, title="Hijacked")),
        (url("answer", deal), {"criterion": question.pk, "answer": "yes"}),
        (url("add_activity", deal), {"kind": "call", "subject": "x", "due_date": "2030-01-01"}),
        (url("activity_done", deal, activity.pk), {}),
        (url("add_note", deal), {"body": "x"}),
        (url("add_attachment", deal), {"file": SimpleUploadedFile("a.txt", b"abc")}),
        (url("delete", deal), {}),
    ]
    for target, data in posts:
        assert c.post(target, data).status_code == 404, target
    assert state(deal) == before
    assert not DealAnswer.objects.exists()
    assert Activity.objects.filter(deal=deal).count() == 1
    assert not Activity.objects.get(pk=activity.pk).done
    assert not Note.objects.exists() and not Attachment.all_objects.exists()


def test_views_declare_their_methods(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    assert c.get(url("edit", deal)).status_code == 405
    assert c.get(url("move", deal)).status_code == 405
    assert c.post(url("detail", deal)).status_code == 405


def test_script_in_title_is_shown_as_text_on_the_page(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"], title="<script>alert(1)</script>")
    html = client_for(rep).get(url("detail", deal)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_timeline_merges_stage_field_activity_note_and_file(
    client_for, rep, head, stages, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(owner=rep, stage=stages["qualification"], amount=Decimal("100"))
    c = client_for(rep)
    c.post(url("edit", deal), edit_data(deal, amount="200"))
    make_activity(deal=deal, owner=rep, subject="Call CEO")
    c.post(url("move", deal), {"stage": stages["probability"].pk})
    c.post(url("add_note", deal), {"body": "Note text"})
    c.post(url("add_attachment", deal), {"file": SimpleUploadedFile("f.txt", b"abc")})
    html = c.get(url("detail", deal)).content.decode()
    timeline = html.split('id="timeline"')[1]
    assert re.search(
        rf"{stages['qualification'].name}\s*→\s*{stages['probability'].name}", timeline
    )
    assert "Deal created in" in timeline
    assert "100.00" in timeline and "200.00" in timeline
    assert "Call CEO" in timeline
    assert "Note text" in timeline
    assert "f.txt" in timeline
    # Newest first: the file comes before the stage change, which comes before the creation.
    assert timeline.index("f.txt") < timeline.index("→") < timeline.index("Deal created in")


def _page_queries(client, deal):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("detail", deal))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_deal_page_query_count_does_not_grow_with_its_history(
    client_for, rep, stages, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(owner=rep, stage=stages["qualification"], company=make_company(owner=rep))
    c = client_for(rep)

    def grow(n):
        for i in range(n):
            make_activity(deal=deal, owner=rep, subject=f"A{i}")
            c.post(url("add_note", deal), {"body": f"N{i}"})
            d = Deal.objects.get(pk=deal.pk)
            deal_update(d, by=rep, expected_version=None, amount=Decimal(100 + i))
            deal_update(d, by=rep, expected_version=None, company=make_company(owner=rep))

    grow(1)
    small = _page_queries(c, deal)
    grow(15)
    with django_assert_max_num_queries(small):
        c.get(url("detail", deal))


def test_tags_are_edited_on_the_deal_page(client_for, rep, stages):
    from voronka.core.testing import make_deal
    from voronka.deals.models import Deal, Tag

    Tag.objects.create(name="VIP")
    deal = make_deal(owner=rep, stage=stages["lead"])
    response = client_for(rep).post(
        reverse("deals:edit", args=[deal.pk]),
        {
            "version": deal.version,
            "title": deal.title,
            "amount": "100",
            "currency": "RUB",
            "owner": rep.pk,
            "tags": " vip ,  Опт  , ,опт",
        },
    )
    assert response.status_code in (200, 302)
    deal = Deal.objects.get(pk=deal.pk)
    assert sorted(t.name for t in deal.tags.all()) == ["VIP", "Опт"]
    assert Tag.objects.count() == 2
    page = client_for(rep).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "VIP, Опт" in page or "Опт, VIP" in page


@pytest.mark.parametrize(
    ("language", "typed", "saved"),
    [("en", "1,234", "1234"), ("en", "12,500.50", "12500.50"), ("ru", "1,5", "1.5")],
)
def test_the_amount_is_read_as_the_users_language_writes_it(
    client_for, rep, stages, language, typed, saved
):
    """An English user's 1,234 is twelve hundred and thirty-four (it was saved as 1.23)."""
    from voronka.deals.models import Deal

    rep.language = language
    rep.save()
    deal = make_deal(owner=rep, stage=stages["lead"])
    response = client_for(rep).post(
        reverse("deals:edit", args=[deal.pk]),
        {
            "version": deal.version,
            "title": deal.title,
            "amount": typed,
            "currency": "RUB",
            "owner": rep.pk,
        },
    )
    assert response.status_code in (200, 302)
    assert Deal.objects.get(pk=deal.pk).amount == Decimal(saved)

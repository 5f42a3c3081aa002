"""Quick add: a deal with its company and contact in one transaction."""

from decimal import Decimal

import pytest

from voronka.contacts.models import Company, Contact, PhoneNumber
from voronka.core.testing import make_company, make_deal
from voronka.deals import list_forms
from voronka.deals.errors import DealError
from voronka.deals.models import Deal, Pipeline, Stage, StageChange

pytestmark = pytest.mark.django_db


def counts():
    return (
        Deal.all_objects.count(),
        Company.all_objects.count(),
        Contact.all_objects.count(),
        PhoneNumber.objects.count(),
        StageChange.objects.count(),
    )


def post(client, pipeline, **data):
    payload = {
        "title": "Поставка станков",
        "amount": "250 000,50",
        "currency": "RUB",
        "pipeline": pipeline.pk,
        "stage": "",
        "company_name": "",
        "contact_name": "",
        "contact_phone": "",
    }
    payload.update(data)
    return client.post("/deals/quick-add/", payload)


def test_happy_path_creates_deal_company_contact_and_phone(rep, pipeline, stages, client_for):
    response = post(
        client_for(rep),
        pipeline,
        stage=stages["qualification"].pk,
        company_name="ООО Станкомаш",
        contact_name="Пётр Иванов",
        contact_phone="8 (912) 345-67-89",
    )
    deal = Deal.objects.get(title="Поставка станков")
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert deal.amount == Decimal("250000.50")
    assert deal.currency == "RUB"
    assert deal.owner == rep
    assert deal.stage == stages["qualification"]
    assert deal.company.name == "ООО Станкомаш" and deal.company.owner == rep
    contact = deal.contacts.get()
    assert contact.name == "Пётр Иванов" and contact.company == deal.company
    phone = contact.phones.get()
    assert phone.raw == "8 (912) 345-67-89" and phone.e164 == "+79123456789"
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_defaults_to_the_first_open_stage(rep, pipeline, stages, client_for):
    post(client_for(rep), pipeline)
    assert Deal.objects.get().stage == stages["lead"]


def test_an_existing_visible_company_is_reused_by_name(rep, pipeline, client_for):
    company = make_company(owner=rep, name="ООО Ромашка")
    before = Company.all_objects.count()
    post(client_for(rep), pipeline, company_name="ооо ромашка")
    assert Deal.objects.get().company == company
    assert Company.all_objects.count() == before


def test_another_reps_company_is_not_reused_by_name(rep, other_rep, pipeline, client_for):
    theirs = make_company(owner=other_rep, name="ООО Тайна")
    post(client_for(rep), pipeline, company_name="ООО Тайна")
    deal = Deal.objects.get()
    assert deal.company != theirs and deal.company.owner == rep


def test_another_reps_company_id_is_an_error(rep, other_rep, pipeline, client_for):
    theirs = make_company(owner=other_rep, name="ООО Тайна")
    before = counts()
    response = post(client_for(rep), pipeline, company=theirs.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert counts() == before


def test_bad_phone_saves_nothing(rep, pipeline, client_for):
    before = counts()
    response = post(
        client_for(rep), pipeline, company_name="ООО Новая", contact_name="Анна", contact_phone="12"
    )
    assert response.status_code == 200
    assert "does not look like a phone number" in response.content.decode()
    assert counts() == before


def test_negative_amount_saves_nothing(rep, pipeline, client_for):
    before = counts()
    response = post(
        client_for(rep),
        pipeline,
        amount="-5",
        company_name="ООО Новая",
        contact_name="Анна",
        contact_phone="+7 912 345-67-89",
    )
    assert response.status_code == 200
    assert "The amount cannot be negative" in response.content.decode()
    assert counts() == before


def test_lost_stage_is_refused(rep, pipeline, stages, client_for):
    before = counts()
    response = post(client_for(rep), pipeline, stage=stages["lost"].pk)
    assert "Choose an open stage" in response.content.decode()
    assert counts() == before


def test_stage_of_another_pipeline_is_refused(rep, pipeline, client_for):
    other = Pipeline.objects.create(name="Тендеры", order=5)
    foreign_stage = Stage.objects.create(pipeline=other, name="Заявка", kind="open")
    before = counts()
    response = post(client_for(rep), pipeline, stage=foreign_stage.pk)
    assert "The stage belongs to another pipeline" in response.content.decode()
    assert counts() == before


def test_phone_without_contact_name_is_an_error(rep, pipeline, client_for):
    before = counts()
    response = post(client_for(rep), pipeline, contact_phone="+7 912 345-67-89")
    assert "Give the name of the contact" in response.content.decode()
    assert counts() == before


def test_a_failure_after_the_company_is_written_rolls_everything_back(
    rep, pipeline, client_for, monkeypatch
):
    make_deal(owner=rep)
    before = counts()

    def failing_create(**kwargs):
        raise DealError("stage_other_pipeline")

    monkeypatch.setattr(list_forms, "deal_create", failing_create)
    response = post(
        client_for(rep),
        pipeline,
        company_name="ООО Откат",
        contact_name="Анна",
        contact_phone="+7 912 345-67-89",
    )
    assert response.status_code == 200
    assert "The stage belongs to another pipeline" in response.content.decode()
    assert counts() == before


def test_the_form_page_renders(rep, client_for):
    make_company(owner=rep, name="ООО Подсказка")
    response = client_for(rep).get("/deals/quick-add/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="ООО Подсказка">' in html
    assert 'name="contact_phone"' in html

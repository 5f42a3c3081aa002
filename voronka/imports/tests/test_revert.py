"""Reverting a finished import (RELIABILITY T-C8): what it created goes to the recycle bin,
what it updated gets its former values back, a later change is kept and reported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from voronka.contacts.models import Contact
from voronka.contacts.services import contact_create, contact_update
from voronka.core.phones import parse_phone
from voronka.deals.models import Deal, StageChange
from voronka.imports import services
from voronka.imports.models import ImportedRecord, ImportJob
from voronka.imports.tasks import execute_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def run_job(user, kind, text, fields, stages=None, pipeline=None) -> ImportJob:
    upload = SimpleUploadedFile(f"{kind}.csv", text.encode())
    job = services.job_create(by=user, kind=kind, upload=upload, pipeline=pipeline)
    services.job_set_mapping(job, fields=fields, stages=stages or {})
    services.job_start(job, skip_invalid=False)
    assert execute_job(job.pk) == "done"
    job.refresh_from_db()
    return job


CONTACT_FIELDS = {"external_id": "Key", "name": "Name", "phones": "Phone", "emails": "Email"}


def test_a_contacts_import_is_reverted_exactly(client_for, head, media):
    anna = contact_create(by=head, owner=head, name="Анна", external_id="c1",
                          phones=[parse_phone("89120000001")], emails=["anna@a.ru"])  # fmt: skip
    text = "Key;Name;Phone;Email\nc1;Анна Петрова;89120000002;\nc2;Олег;89120000003;o@o.ru\n"
    job = run_job(head, "contacts", text, CONTACT_FIELDS)
    anna.refresh_from_db()
    oleg = Contact.objects.get(external_id="c2")
    assert anna.name == "Анна Петрова" and job.created == 1 and job.updated == 1
    assert set(job.records.values_list("model", "record_id", "action")) == {
        ("contacts.contact", anna.pk, "updated"),
        ("contacts.contact", oleg.pk, "created"),
    }

    c = client_for(head)
    page = c.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("imports:revert", args=[job.pk]) in page
    plan = c.get(reverse("imports:revert", args=[job.pk])).content.decode()
    assert 'id="revert-plan"' in plan and 'id="revert-submit"' in plan
    response = c.post(reverse("imports:revert", args=[job.pk]))
    assert response.status_code == 302

    anna.refresh_from_db()
    assert anna.name == "Анна"
    assert list(anna.phones.values_list("raw", "e164")) == [("89120000001", "+79120000001")]
    assert list(anna.emails.values_list("email", flat=True)) == ["anna@a.ru"]
    assert anna.history.first().history_change_reason == "import reverted"
    gone = Contact.all_objects.get(pk=oleg.pk)
    assert gone.deleted_at is not None and gone.deleted_by == head  # in the recycle bin
    job.refresh_from_db()
    assert job.status == "reverted" and job.reverted_by == head
    assert job.report["reverted"]["deleted"] == {"contacts.contact": 1}
    page = c.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-reverted"' in page and 'id="import-revert"' not in page

    # A second revert is refused with a reason, and changes nothing.
    response = c.post(reverse("imports:revert", args=[job.pk]))
    assert response.status_code == 409
    assert "Only a finished import can be reverted." in response.content.decode()
    anna.refresh_from_db()
    assert anna.name == "Анна"


def test_a_field_changed_after_the_import_keeps_its_value(head, media):
    from voronka.imports.revert import import_revert

    anna = contact_create(by=head, owner=head, name="Анна", external_id="c1", position="")
    job = run_job(head, "contacts", "Key;Name;Position\nc1;Анна Петрова;Юрист\n",
                  {"external_id": "Key", "name": "Name", "position": "Position"})  # fmt: skip
    anna.refresh_from_db()
    contact_update(anna, by=head, name="Анна Сидорова", phones=[parse_phone("89125550000")])
    result = import_revert(job, by=head)
    anna.refresh_from_db()
    assert (anna.name, anna.position) == ("Анна Сидорова", "")
    # the import did not touch her phones: the one added since stays
    assert list(anna.phones.values_list("e164", flat=True)) == ["+79125550000"]
    assert result.kept == [{"model": "contacts.contact", "id": anna.pk, "field": "name"}]


def test_a_deals_reimport_is_reverted_with_its_stage_history(head, stages, media):
    from voronka.imports.revert import RevertRefused, import_revert

    fields = {"external_id": "Key", "title": "Title", "stage": "Stage", "contact": "Contact"}
    pipeline = stages["lead"].pipeline
    names = {"Новый": stages["lead"].name, "КП": stages["qualification"].name}
    first = run_job(head, "deals", "Key;Title;Stage;Contact\nD1;Станки;Новый;Иван\n",
                    fields, names, pipeline)  # fmt: skip
    deal = Deal.objects.get(external_id="D1")
    changes_before = list(
        StageChange.objects.filter(deal=deal).values_list("to_stage", "external_id")
    )
    contacts_before = set(deal.contacts.values_list("pk", flat=True))
    second = run_job(head, "deals",
                     "Key;Title;Stage;Contact\nD1;Станки для цеха;КП;Пётр\nD2;Лицензии;Новый;\n",
                     fields, names, pipeline)  # fmt: skip
    deal.refresh_from_db()
    assert (deal.title, deal.stage) == ("Станки для цеха", stages["qualification"])
    assert set(deal.contacts.values_list("pk", flat=True)) != contacts_before

    # The first import cannot go back before the second that changed the same deal.
    with pytest.raises(RevertRefused) as refused:
        import_revert(first, by=head)
    assert refused.value.params == {"other": second.pk}

    version = deal.version
    import_revert(second, by=head)
    deal.refresh_from_db()
    assert (deal.title, deal.stage) == ("Станки", stages["lead"])
    assert deal.stage_entered_at == max(
        StageChange.objects.filter(deal=deal, to_stage=stages["lead"]).values_list(
            "changed_at", flat=True
        )
    )
    assert "цеха" not in deal.search_text and "станки" in deal.search_text
    assert deal.version == version + 1  # an open form on the old version gets a conflict
    assert set(deal.contacts.values_list("pk", flat=True)) == contacts_before
    assert (
        list(StageChange.objects.filter(deal=deal).values_list("to_stage", "external_id"))
        == changes_before
    )
    assert Deal.all_objects.get(external_id="D2").deleted_at is not None
    created_contact = ImportedRecord.objects.get(
        job=second, model="contacts.contact", action="created"
    )
    assert Contact.all_objects.get(pk=created_contact.record_id).deleted_at is not None
    # now the first import can be reverted too: the deal goes to the recycle bin
    import_revert(first, by=head)
    deal.refresh_from_db()
    assert deal.deleted_at is not None


def test_only_who_sees_the_import_may_revert_it(client_for, head, rep, media, other_team):
    from voronka.core.testing import make_user

    job = run_job(head, "contacts", "Key;Name\nc9;Ирина\n", {"external_id": "Key", "name": "Name"})
    stranger = make_user(role="head", team=other_team, username="head_far")
    for user in (rep, stranger):
        c = client_for(user)
        assert c.get(reverse("imports:revert", args=[job.pk])).status_code == 404
        assert c.post(reverse("imports:revert", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "done" and Contact.objects.filter(external_id="c9").exists()

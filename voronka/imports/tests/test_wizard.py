"""The import wizard through the views: who may import, upload errors, mapping, preview,
the background job and its report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from voronka.contacts.models import Contact
from voronka.deals.models import Deal
from voronka.imports.models import ImportJob, SavedMapping
from voronka.imports.tasks import execute_job
from voronka.imports.tests.helpers import db_snapshot

pytestmark = pytest.mark.django_db

CSV = (
    "Ключ;Название;Сумма;Этап;Дата создания\n"
    "K1;Поставка;1 000,50;Переговоры;01.02.2025\n"
    "K2;Монтаж;2000;Новый;31.02.2025\n"
    "K3;=1+2;300;Новый;03.02.2025\n"
).encode("cp1251")


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, data=CSV, name="deals.csv", kind="deals"):
    return client.post(
        reverse("imports:start"),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def test_a_rep_gets_404_everywhere_and_changes_nothing(client_for, rep, head, media, pipeline):
    job = ImportJob.objects.create(created_by=head, kind="deals", filename="x.csv", path="x")
    client = client_for(rep)
    before = db_snapshot()
    for name, args in (
        ("imports:start", []),
        ("imports:mapping", [job.pk]),
        ("imports:preview", [job.pk]),
        ("imports:job", [job.pk]),
        ("imports:progress", [job.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
        assert client.post(reverse(name, args=args), {"kind": "deals"}).status_code in (404, 405)
    assert db_snapshot() == before
    assert ImportJob.objects.count() == 1


def test_a_head_cannot_see_another_teams_import(client_for, head, admin_user, media):
    job = ImportJob.objects.create(created_by=admin_user, kind="deals", filename="x.csv", path="x")
    response = client_for(head).get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "empty.csv", "file is empty"),
        (b"\r\n\r\n", "blank.csv", "The file is empty."),
        (b"a;b\n", "header.csv", "The file has column names but no rows of data."),
        ("Название\n" + "я" * 200_000 + "\n", "long.csv", "cannot be read"),
        (b"PK\x03\x04garbage", "bomb.xlsx", "not a readable XLSX workbook"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(client_for, head, media, data, name, message):
    if isinstance(data, str):
        data = data.encode()
    before = db_snapshot()
    response = upload(client_for(head), data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_snapshot() == before and ImportJob.objects.count() == 0


def test_an_oversized_upload_is_refused_by_its_length(client_for, head, media):
    client = client_for(head)
    response = client.post(
        reverse("imports:start"), {"kind": "deals"}, CONTENT_LENGTH=str(200 * 2**20)
    )
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()


def test_upload_map_preview_run_report(
    client_for, head, media, stages, django_capture_on_commit_callbacks
):
    client = client_for(head)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/import/{job.pk}/mapping/"
    )
    assert job.mapping["fields"] == {
        "external_id": "Ключ",
        "title": "Название",
        "amount": "Сумма",
        "stage": "Этап",
        "created_at": "Дата создания",
    }
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "Переговоры" in page and "Новый" in page  # the source stages to map
    post = {f"f_{k}": v for k, v in job.mapping["fields"].items()}
    post |= {"s_0": stages["qualification"].name, "s_1": stages["lead"].name}
    response = client.post(reverse("imports:mapping", args=[job.pk]), post)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["stages"] == {
        "Переговоры": stages["qualification"].name,
        "Новый": stages["lead"].name,
    }

    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "1 000,50" in page or "1,000.50" in page
    assert stages["qualification"].name in page
    assert "“31.02.2025” is not a real date." in page
    assert Deal.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:preview", args=[job.pk]), {"skip_invalid": "on"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"
    assert SavedMapping.objects.filter(kind="deals").count() == 1
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'id="import-bar"' in page

    # The job as the worker runs it (test_worker_killed.py runs real worker processes).
    assert execute_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.skipped) == ("done", 2, 0, 1)
    assert set(Deal.objects.values_list("title", flat=True)) == {"Поставка", "=1+2"}
    page = client.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page
    assert "Created: 2. Updated: 0. Skipped: 1." in page
    assert "“31.02.2025” is not a real date." in page

    # The same layout again: the remembered mapping is offered.
    upload(client)
    again = ImportJob.objects.order_by("-pk").first()
    assert again.mapping["stages"] == job.mapping["stages"]


def test_contacts_with_the_name_in_parts(client_for, head, media):
    data = "Фамилия,Имя,Отчество,Телефон\nПетрова,Анна,Сергеевна,89123456789\n".encode()
    client = client_for(head)
    upload(client, data, "contacts.csv", "contacts")
    job = ImportJob.objects.get()
    assert job.mapping["fields"] == {
        "last_name": "Фамилия",
        "first_name": "Имя",
        "middle_name": "Отчество",
        "phones": "Телефон",
    }
    url = reverse("imports:mapping", args=[job.pk])
    # neither the full name nor a part of it: a clear error, nothing saved
    response = client.post(url, {"f_phones": "Телефон"})
    assert response.status_code == 400
    assert "Choose the column of the full name, or the columns of its parts." in (
        response.content.decode()
    )
    post = {f"f_{k}": v for k, v in job.mapping["fields"].items()}
    assert client.post(url, post).status_code == 302
    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "Петрова Анна Сергеевна" in page  # the name as it will be saved
    client.post(reverse("imports:preview", args=[job.pk]), {"skip_invalid": ""})
    assert execute_job(job.pk) == "done"
    assert list(Contact.objects.values_list("name", flat=True)) == ["Петрова Анна Сергеевна"]


def test_contacts_with_phones_in_several_columns(client_for, head, media):
    data = (
        "ФИО,Рабочий телефон,Мобильный телефон,E-mail\n"
        "Петрова Анна,+7 495 123-45-67,8 912 345 67 89,a@x.ru\n"
    ).encode()
    client = client_for(head)
    upload(client, data, "contacts.csv", "contacts")
    job = ImportJob.objects.get()
    assert job.mapping["fields"]["phones"] == ["Рабочий телефон", "Мобильный телефон"]
    url = reverse("imports:mapping", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'name="f_phones"' in page and "multiple" in page
    # the user keeps one of the two phone columns and the e-mail
    post = {"f_name": "ФИО", "f_phones": ["Мобильный телефон"], "f_emails": ["E-mail"]}
    assert client.post(url, post).status_code == 302
    job.refresh_from_db()
    assert job.mapping["fields"] == {
        "name": "ФИО",
        "phones": "Мобильный телефон",
        "emails": "E-mail",
    }
    # and both, as suggested
    post["f_phones"] = ["Рабочий телефон", "Мобильный телефон"]
    assert client.post(url, post).status_code == 302
    client.post(reverse("imports:preview", args=[job.pk]), {"skip_invalid": ""})
    assert execute_job(job.pk) == "done"
    anna = Contact.objects.get()
    assert [x.e164 for x in anna.phones.order_by("position")] == ["+74951234567", "+79123456789"]

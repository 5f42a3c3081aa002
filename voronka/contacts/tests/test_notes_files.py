import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from voronka.activities.models import Attachment, Note
from voronka.contacts.services import company_create, contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_note_on_contact(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="С заметкой")
    c = client_for(rep)
    response = c.post(
        reverse("contacts:contact_note", args=[contact.pk]), {"body": "Перезвонить <b>"}
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.contact, note.author, note.body) == (contact, rep, "Перезвонить <b>")
    html = c.get(contact.get_absolute_url()).content.decode()
    assert "Перезвонить &lt;b&gt;" in html


def test_empty_note_is_rejected(client_for, rep):
    company = company_create(by=rep, owner=rep, name="ООО")
    response = client_for(rep).post(
        reverse("contacts:company_note", args=[company.pk]), {"body": " "}
    )
    assert response.status_code == 400
    assert Note.objects.count() == 0


def test_file_on_company_and_download(client_for, rep):
    company = company_create(by=rep, owner=rep, name="ООО Файлы")
    c = client_for(rep)
    upload = SimpleUploadedFile("счёт.svg", b"<svg onload=alert(1)></svg>", "image/svg+xml")
    response = c.post(reverse("contacts:company_file", args=[company.pk]), {"upload": upload})
    assert response.status_code == 302
    att = Attachment.objects.get()
    assert att.company == company and att.original_name == "счёт.svg"
    html = c.get(company.get_absolute_url()).content.decode()
    url = reverse("activities:attachment_download", args=[att.pk])
    assert url in html
    download = c.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D1%81%D1%87%D1%91%D1%82.svg" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"<svg onload=alert(1)></svg>"


def test_too_large_file_is_rejected(client_for, rep, settings):
    settings.VORONKA_MAX_ATTACHMENT_BYTES = 10
    contact = contact_create(by=rep, owner=rep, name="Большой файл")
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    response = client_for(rep).post(
        reverse("contacts:contact_file", args=[contact.pk]), {"upload": upload}
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == 0


def test_foreign_rep_cannot_download_or_attach(client_for, rep, other_rep):
    contact = contact_create(by=rep, owner=rep, name="Закрытый")
    c = client_for(rep)
    c.post(
        reverse("contacts:contact_file", args=[contact.pk]),
        {"upload": SimpleUploadedFile("a.txt", b"secret")},
    )
    att = Attachment.objects.get()
    other = client_for(other_rep)
    assert other.get(reverse("activities:attachment_download", args=[att.pk])).status_code == 404
    response = other.post(
        reverse("contacts:contact_file", args=[contact.pk]),
        {"upload": SimpleUploadedFile("b.txt", b"x")},
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


def test_media_is_not_served_under_a_public_url(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="Медиа")
    c = client_for(rep)
    c.post(
        reverse("contacts:contact_file", args=[contact.pk]),
        {"upload": SimpleUploadedFile("a.txt", b"secret")},
    )
    att = Attachment.objects.get()
    assert c.get("/media/" + att.file.name).status_code == 404
    assert c.get("/" + att.file.name).status_code == 404

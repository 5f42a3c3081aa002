"""The import wizard in a real browser: upload, mapping, preview, progress bar, report."""

import pytest
from playwright.sync_api import expect

from voronka.contacts.models import Contact
from voronka.deals.models import Deal
from voronka.imports.models import ImportJob
from voronka.imports.tasks import execute_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Ключ;Название;Сумма;Этап;Дата создания\n"
    "K1;Поставка станков;1 000,50;Переговоры;01.02.2025\n"
    "K2;Монтаж;2000;Новый;31.02.2025\n"
    "K3;Наладка;300;Новый;03.02.2025\n"
).encode("cp1251")


def test_the_wizard_from_upload_to_the_report(
    live_server, login_page, head, stages, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = tmp_path / "deals.csv"
    source.write_bytes(CSV)
    page = login_page(head)
    page.goto(f"{live_server.url}/import/")
    page.select_option("#id_kind", "deals")
    page.set_input_files("#id_file", str(source))
    page.click("#upload-form button[type=submit]")

    form = page.locator("#mapping-form")
    expect(form).to_be_visible()
    expect(page.locator("#id_f_title")).to_have_value("Название")
    stage_rows = page.locator("#stage-mapping tr")
    expect(stage_rows).to_have_count(2)
    page.select_option("#id_s_0", stages["qualification"].name)  # Переговоры
    page.select_option("#id_s_1", stages["lead"].name)  # Новый
    page.click("#mapping-form button[type=submit]")

    rows = page.locator("#preview-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Поставка станков")
    expect(rows.first).to_contain_text(stages["qualification"].name)
    expect(page.locator("#preview-errors")).to_contain_text("“31.02.2025” is not a real date.")
    assert Deal.objects.count() == 0
    page.check("#id_skip_invalid")
    page.click("#start-form button[type=submit]")

    expect(page.locator("#import-bar")).to_be_visible()
    expect(page.locator("#import-status")).to_have_attribute("data-status", "queued")
    job = ImportJob.objects.get()
    assert execute_job(job.pk) == "done"  # what the worker runs

    report = page.locator("#import-report")
    expect(report).to_contain_text("Created: 2. Updated: 0. Skipped: 1.")
    expect(report).to_contain_text("“31.02.2025” is not a real date.")
    expect(page.locator("#import-bar")).to_have_count(0)
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["K1", "K3"]

    # Revert: the plan, then the deals go to the recycle bin.
    page.click("#import-revert")
    expect(page.locator("#revert-plan")).to_contain_text("created: to the recycle bin")
    page.click("#revert-submit")
    expect(page.locator(".messages")).to_contain_text("The import was reverted")
    expect(page.locator("#import-reverted")).to_be_visible()
    assert Deal.objects.count() == 0 and Deal.all_objects.count() == 2


def test_contacts_with_the_name_in_parts_and_two_phone_columns(
    live_server, login_page, head, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = tmp_path / "contacts.csv"
    source.write_text(
        "Фамилия,Имя,Отчество,Рабочий телефон,Мобильный телефон\n"
        "Петрова,Анна,Сергеевна,+7 495 123-45-67,8 912 345 67 89\n",
        encoding="utf-8",
    )
    page = login_page(head)
    page.goto(f"{live_server.url}/import/")
    page.select_option("#id_kind", "contacts")
    page.set_input_files("#id_file", str(source))
    page.click("#upload-form button[type=submit]")

    expect(page.locator("#id_f_last_name")).to_have_value("Фамилия")
    expect(page.locator("#id_f_middle_name")).to_have_value("Отчество")
    phones = page.locator("#id_f_phones")
    expect(phones).to_have_values(["Рабочий телефон", "Мобильный телефон"])
    phones.select_option(["Мобильный телефон"])  # keep the mobile only
    page.click("#mapping-form button[type=submit]")

    rows = page.locator("#preview-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Петрова Анна Сергеевна")
    expect(rows.first).to_contain_text("+79123456789")
    expect(rows.first).not_to_contain_text("+74951234567")
    page.click("#start-form button[type=submit]")
    expect(page.locator("#import-bar")).to_be_visible()
    assert execute_job(ImportJob.objects.get().pk) == "done"
    expect(page.locator("#import-report")).to_contain_text("Created: 1.")
    anna = Contact.objects.get()
    assert anna.name == "Петрова Анна Сергеевна"
    assert [p.e164 for p in anna.phones.all()] == ["+79123456789"]

"""``manage.py import_records``: deals with their history, re-import, all-or-nothing."""

import json
from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from voronka.accounts.models import User
from voronka.contacts.models import Company, Contact
from voronka.deals.models import Deal, LostReason, StageChange
from voronka.forecasting.snapshots import load_history
from voronka.imports.tests.helpers import db_snapshot

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")

DEALS = (
    "ID;Название;Сумма;Этап;Создана;Дата успеха;Дата отказа;Причина;Менеджер;Компания;"
    "Контакт;Телефон\n"
    "D1;Поставка станков;1 200 000,50;Переговоры;10.01.2025;;;;head@example.ru;ООО Ромашка;"
    "Иван Петров;+7 912 345-67-89\n"
    "D2;Лицензии;300000;Успех;2025-02-01;15.03.2025;;;Пётр Новиков;ООО Ромашка;;\n"
    'D3;=HYPERLINK("http://x");50;Отказ;05.02.2025;;20.02.2025;Дорого;;АО Лютик;;\n'
)
CHANGES = (
    "Сделка;Было;Стало;Когда\n"
    "D1;Новый;Переговоры;12.01.2025 10:00\n"
    "D2;Новый;Переговоры;03.02.2025\n"
    "D2;Переговоры;Счёт;01.03.2025\n"
    "D2;Счёт;Успех;15.03.2025\n"
)
MAPPING = {
    "fields": {
        "external_id": "ID",
        "title": "Название",
        "amount": "Сумма",
        "stage": "Этап",
        "created_at": "Создана",
        "won_at": "Дата успеха",
        "lost_at": "Дата отказа",
        "lost_reason": "Причина",
        "owner": "Менеджер",
        "company": "Компания",
        "contact": "Контакт",
        "contact_phone": "Телефон",
    },
    "stages": {
        "Новый": "@first",
        "Переговоры": "@q",
        "Счёт": "@c",
        "Успех": "won",
        "Отказ": "lost",
    },
    "stage_changes": {
        "deal_key": "Сделка",
        "from_stage": "Было",
        "to_stage": "Стало",
        "changed_at": "Когда",
    },
}


@pytest.fixture
def files(tmp_path, stages, admin_user, head):
    head.email = "head@example.ru"
    head.save()
    mapping = json.loads(json.dumps(MAPPING))
    names = {
        "@first": stages["lead"].name,
        "@q": stages["qualification"].name,
        "@c": stages["closing"].name,
    }
    mapping["stages"] = {k: names.get(v, v) for k, v in mapping["stages"].items()}
    paths = {}
    for name, text, enc in (("deals.csv", DEALS, "cp1251"), ("changes.csv", CHANGES, "utf-8-sig")):
        paths[name] = tmp_path / name
        paths[name].write_bytes(text.encode(enc))
    paths["mapping"] = tmp_path / "mapping.json"
    paths["mapping"].write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    return paths


def run(files, *extra):
    out = StringIO()
    call_command(
        "import_records",
        str(files["deals.csv"]),
        "--kind",
        "deals",
        "--mapping",
        str(files["mapping"]),
        "--stage-changes",
        str(files["changes.csv"]),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def at(*args):
    return datetime(*args, tzinfo=MSK)


def import_deals(path, mapping) -> str:
    """``import_records`` of a deals file with a mapping file; what it printed."""
    out = StringIO()
    call_command(
        "import_records", str(path), "--kind", "deals", "--mapping", str(mapping), stdout=out
    )
    return out.getvalue()


def test_deals_come_with_their_history(files, stages, head):
    out = run(files)
    assert "created 3, updated 0, skipped 0" in out
    d1, d2, d3 = (Deal.objects.get(external_id=k) for k in ("D1", "D2", "D3"))

    assert d1.stage == stages["qualification"] and d1.closed_at is None
    assert d1.amount == Decimal("1200000.50") and d1.owner == head
    assert d1.created_at == at(2025, 1, 10)
    assert d1.company.name == "ООО Ромашка"
    contact = d1.contacts.get()
    assert contact.name == "Иван Петров"
    assert contact.phones.get().e164 == "+79123456789"
    assert d1.search_text == "поставка станков\nооо ромашка\nиван петров"
    assert [
        (c.from_stage_id, c.to_stage_id, c.changed_at) for c in d1.stage_changes.order_by("pk")
    ] == [
        (None, stages["lead"].pk, at(2025, 1, 10)),
        (stages["lead"].pk, stages["qualification"].pk, at(2025, 1, 12, 10)),
    ]

    assert d2.stage == stages["won"] and d2.closed_at == at(2025, 3, 15)
    assert d2.contract_actual.isoformat() == "2025-03-15"
    assert d2.company_id == d1.company_id  # one company for the same name
    owner = d2.owner
    assert (owner.first_name, owner.last_name, owner.is_active) == ("Пётр", "Новиков", False)
    assert [(c.to_stage.name, c.changed_at) for c in d2.stage_changes.order_by("pk")] == [
        (stages["lead"].name, at(2025, 2, 1)),
        (stages["qualification"].name, at(2025, 2, 3)),
        (stages["closing"].name, at(2025, 3, 1)),
        (stages["won"].name, at(2025, 3, 15)),
    ]

    # No stage changes given: created in the first stage, closed into Lost at its date.
    assert d3.title == '=HYPERLINK("http://x")'  # stored as text
    assert d3.stage == stages["lost"] and d3.lost_reason.name == "Дорого"
    assert d3.owner is None
    assert [(c.to_stage.name, c.changed_at) for c in d3.stage_changes.order_by("pk")] == [
        (stages["lead"].name, at(2025, 2, 5)),
        (stages["lost"].name, at(2025, 2, 20)),
    ]
    for deal in (d1, d2, d3):
        (h,) = deal.history.all()
        assert h.history_type == "+" and h.history_change_reason == "import"

    # The forecast loader sees exactly this history.
    records = {r.external_id: r for r in load_history().history.deals}
    assert records["D2"].won is True and records["D2"].closed_at == at(2025, 3, 15)
    assert records["D3"].won is False and records["D1"].won is None
    assert records["D1"].created_at == at(2025, 1, 10)
    assert [c.at for c in records["D2"].changes] == [
        at(2025, 2, 1),
        at(2025, 2, 3),
        at(2025, 3, 1),
        at(2025, 3, 15),
    ]
    assert records["D1"].amount == 1200000.5


def test_reimport_updates_instead_of_duplicating(files, stages):
    run(files)
    before = (Deal.objects.count(), StageChange.objects.count(), Company.objects.count())
    text = files["deals.csv"].read_bytes().decode("cp1251").replace("1 200 000,50", "999")
    files["deals.csv"].write_bytes(text.encode("cp1251"))
    out = run(files)
    assert "created 0, updated 1, skipped 2" in out
    assert "skipped row 3, -: Unchanged since the last import." in out
    assert (Deal.objects.count(), StageChange.objects.count(), Company.objects.count()) == before
    assert Deal.objects.get(external_id="D1").amount == Decimal("999.00")
    assert "created 0, updated 0, skipped 3" in run(files)
    assert Contact.objects.count() == 1 and User.objects.filter(is_active=False).count() == 1


def test_reimport_of_undated_open_deals_changes_nothing(tmp_path, stages, admin_user):
    """Open deals with no creation date in the file (nothing else dates them) are created
    "now"; importing the same file again later keeps that time instead of moving it."""
    path = tmp_path / "deals.csv"
    path.write_text("ID;Название;Этап\nP1;Первый;Новый\nP2;Второй;Переговоры\n", "utf-8")
    mapping = tmp_path / "mapping.json"
    names = {"Новый": stages["lead"].name, "Переговоры": stages["qualification"].name}
    mapping.write_text(
        json.dumps({"external_id": "ID", "title": "Название", "stage": "Этап", "stages": names}),
        "utf-8",
    )

    assert "created 2, updated 0, skipped 0" in import_deals(path, mapping)
    first = {d.external_id: d.created_at for d in Deal.objects.all()}
    history = StageChange.objects.count()
    assert "created 0, updated 0, skipped 2" in import_deals(path, mapping)
    assert {d.external_id: d.created_at for d in Deal.objects.all()} == first
    assert StageChange.objects.count() == history
    assert Deal.objects.get(external_id="P2").version == 1


def test_a_file_without_stage_history_places_open_and_closed_deals_alike(
    tmp_path, stages, admin_user
):
    """One row per deal, no stage history: a closed deal is in the first stage until it
    closes, and so is a still-open deal until the file's latest date, when it is known to
    be in its later stage. Were the open deal in its later stage from its creation, every
    replayed month would show closed deals in the first stage and open ones in a later one,
    and the forecast would learn that a later stage never closes. A re-import changes
    nothing, nor does a newer export with later dates."""
    path = tmp_path / "deals.csv"
    path.write_text(
        "ID;Этап;Создана;Закрыта\n"
        "W1;Выиграна;01.02.2025;20.03.2025\n"
        "O1;Переговоры;10.02.2025;\n"
        "N1;Новый;15.02.2025;\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.json"
    names = {
        "Новый": stages["lead"].name,
        "Переговоры": stages["qualification"].name,
        "Выиграна": stages["won"].name,
    }
    fields = {"external_id": "ID", "title": "ID", "stage": "Этап", "created_at": "Создана"}
    fields["closed_at"] = "Закрыта"
    mapping.write_text(json.dumps({**fields, "stages": names}), "utf-8")

    assert "created 3, updated 0, skipped 0" in import_deals(path, mapping)

    def path_of(key):
        deal = Deal.objects.get(external_id=key)
        return [(c.to_stage.name, c.changed_at) for c in deal.stage_changes.order_by("pk")]

    lead, qualification = stages["lead"].name, stages["qualification"].name
    latest = at(2025, 3, 20)
    assert path_of("W1") == [(lead, at(2025, 2, 1)), (stages["won"].name, latest)]
    assert path_of("O1") == [(lead, at(2025, 2, 10)), (qualification, latest)]
    assert path_of("N1") == [(lead, at(2025, 2, 15))]
    assert Deal.objects.get(external_id="O1").stage_entered_at == latest
    records = {r.external_id: r for r in load_history().history.deals}
    assert [(c.to_stage_id, c.at) for c in records["O1"].changes] == [
        (stages["lead"].pk, at(2025, 2, 10)),
        (stages["qualification"].pk, latest),
    ]

    history = StageChange.objects.count()
    assert "created 0, updated 0, skipped 3" in import_deals(path, mapping)
    assert StageChange.objects.count() == history

    # A newer export of the same deals, with a later date in it, does not move O1.
    with path.open("a", encoding="utf-8") as fh:
        fh.write("W2;Выиграна;01.03.2025;15.04.2025\n")
    assert "created 1, updated 0, skipped 3" in import_deals(path, mapping)
    assert path_of("O1") == [(lead, at(2025, 2, 10)), (qualification, latest)]


def test_one_bad_row_imports_nothing(files, stages):
    text = files["deals.csv"].read_bytes().decode("cp1251").replace("05.02.2025", "31.02.2025")
    files["deals.csv"].write_bytes(text.encode("cp1251"))
    before = db_snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported: 1 errors"):
        call_command(
            "import_records",
            str(files["deals.csv"]),
            "--kind=deals",
            f"--mapping={files['mapping']}",
            stderr=err,
        )
    assert "row 4, Создана: “31.02.2025” is not a real date." in err.getvalue()
    assert db_snapshot() == before
    # --skip-invalid imports the other rows and reports the bad one.
    out = run(files, "--skip-invalid")
    assert "created 2, updated 0, skipped 1" in out
    assert "skipped row 4, Создана" in out


def test_unknown_stage_and_a_lost_deal_without_date_are_row_errors(files, stages):
    text = files["deals.csv"].read_bytes().decode("cp1251")
    text = text.replace("Переговоры;10.01", "Загадка;10.01").replace(";20.02.2025;", ";;")
    files["deals.csv"].write_bytes(text.encode("cp1251"))
    err = StringIO()
    before = db_snapshot()
    with pytest.raises(CommandError):
        call_command(
            "import_records",
            str(files["deals.csv"]),
            "--kind=deals",
            f"--mapping={files['mapping']}",
            stderr=err,
        )
    assert "row 2, Этап: The stage “Загадка” is not mapped" in err.getvalue()
    assert "row 4, Дата отказа: A won or lost deal needs the date it was closed." in err.getvalue()
    assert db_snapshot() == before


def test_contacts_and_companies_report_duplicates(tmp_path, admin_user):
    from voronka.contacts.services import company_create, contact_create
    from voronka.core.phones import parse_phone

    contact_create(by=admin_user, name="Старый", emails=["ivan@example.ru"])
    company_create(by=admin_user, name="Старая", inn="7707083893")
    path = tmp_path / "c.csv"
    path.write_text(
        "ФИО,Email,Телефон\nИван,IVAN@example.ru,\nМария,m@example.ru,89123456789\n"
        "Маша,,+7 912 345 67 89\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_records", str(path), "--kind=contacts", stdout=out)
    text = out.getvalue()
    assert "created 3" in text
    assert "possible duplicate: row 2 emails ivan@example.ru (record" in text
    assert "possible duplicate: row 4 phones +79123456789 (row 3)" in text
    assert Contact.objects.get(name="Мария").phones.get().e164 == parse_phone("89123456789").e164
    path.write_text("Название;ИНН\nНовая;7707083893\n", encoding="utf-8")
    out = StringIO()
    call_command("import_records", str(path), "--kind=companies", stdout=out)
    assert "possible duplicate: row 2 inn 7707083893 (record" in out.getvalue()
    assert LostReason.objects.count() >= 1


def test_list_fields_prints_a_line_per_field():
    out = StringIO()
    call_command("import_records", "--list-fields", "deals", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("external_id")
    assert any(line.startswith("won_at") for line in lines)


def test_a_head_cannot_assign_outside_the_team_or_update_hidden_records(
    tmp_path, head, rep, rep_other_team, stages
):
    from voronka.core.testing import make_deal

    hidden = make_deal(owner=rep_other_team, stage=stages["qualification"], title="Чужая")
    hidden.external_id = "X1"
    hidden.save()
    path = tmp_path / "d.csv"
    path.write_text(
        f"ID;Название;Менеджер\nX1;Перехват;{rep.username}\nX2;Новая;{rep_other_team.username}\n"
        f"X3;Своя;{rep.username}\n",
        encoding="utf-8",
    )
    before = db_snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match="2 errors"):
        call_command("import_records", str(path), "--kind=deals", "--user=head", stderr=err)
    text = err.getvalue()
    assert "row 2, ID: The key “X1” belongs to a record you cannot change" in text
    assert f"row 3, Менеджер: “{rep_other_team.username}” is a user outside your team" in text
    assert db_snapshot() == before
    hidden.refresh_from_db()
    assert hidden.title == "Чужая"


def test_rep_may_not_import_from_the_command_line(tmp_path, rep):
    path = tmp_path / "d.csv"
    path.write_text("Название\nA\n", encoding="utf-8")
    with pytest.raises(CommandError, match="only an admin or a head"):
        call_command("import_records", str(path), "--kind=deals", f"--user={rep.username}")


def test_a_stage_change_before_the_created_date_moves_the_created_date_back(files, stages):
    text = files["changes.csv"].read_bytes().decode("utf-8-sig").replace("12.01.2025", "08.01.2025")
    files["changes.csv"].write_bytes(text.encode("utf-8-sig"))
    out = run(files)
    assert "created 3" in out and "1 deals changed stage or closed before" in out
    d1 = Deal.objects.get(external_id="D1")
    assert d1.created_at == at(2025, 1, 8, 10)
    first = d1.stage_changes.order_by("pk").first()
    assert (first.from_stage_id, first.changed_at) == (None, at(2025, 1, 8, 10))


# The worker runs in this process and commits and closes connections: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_imported_contacts_are_keyed_for_the_duplicate_check(tmp_path, admin_user):
    from django_tasks_db.models import DBTaskResult

    from voronka.dedupe import keystore
    from voronka.dedupe.models import RecordKeys
    from voronka.dedupe.selectors import check_typed

    path = tmp_path / "c.csv"
    path.write_text("Ключ,ФИО,Телефон\nk1,Иван Петров,89123456789\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps({"fields": {"external_id": "Ключ", "name": "ФИО", "phones": "Телефон"}}),
        encoding="utf-8",
    )

    def import_file():
        call_command(
            "import_records", str(path), "--kind=contacts", f"--mapping={mapping}",
            stdout=StringIO(),
        )  # fmt: skip

    def work():
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    import_file()
    ivan = Contact.objects.get(external_id="k1")
    assert not RecordKeys.objects.filter(kind="contact", record_id=ivan.pk).exists()
    assert DBTaskResult.objects.filter(task_path="voronka.dedupe.tasks.dedupe_keys").count() == 1
    work()
    typed = {"name": "Ваня Петров", "phones_text": "+7 912 345-67-89"}
    shown, _hidden = check_typed(admin_user, "contact", typed)
    assert [s.record.pk for s in shown] == [ivan.pk]

    # a re-import that changes the phone makes the old keys stale; the job re-keys them
    path.write_text("Ключ,ФИО,Телефон\nk1,Иван Петров,89031112233\n", encoding="utf-8")
    import_file()
    assert RecordKeys.objects.get(kind="contact", record_id=ivan.pk).version == 0
    work()
    assert RecordKeys.objects.get(kind="contact", record_id=ivan.pk).version == (
        keystore.KEYS_VERSION
    )
    shown, _hidden = check_typed(admin_user, "contact", {"phones_text": "8 903 111 22 33"})
    assert [s.record.pk for s in shown] == [ivan.pk]


def test_a_deal_import_asks_for_one_forecast_refresh(files, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from voronka.forecasting.tasks import forget_waiting, refresh_forecast

    forget_waiting()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run(files)
    assert DBTaskResult.objects.filter(task_path=refresh_forecast.module_path).count() == 1


def test_reimported_contacts_change_only_what_changed(tmp_path, admin_user):
    """The same contacts file imported again updates nothing (phones and e-mails included);
    a changed phone updates that contact alone; a row naming a new company is one update."""
    path = tmp_path / "c.csv"
    rows = [
        "id,name,phones,emails,company",
        '1,Иван Петров,"8 912 345 67 89;8 383 205 40 51, 357",ivan@example.ru,Вектор',
        "2,Мария Котова,+7 495 123-45-67,m@example.ru;maria@example.com,",
        "3,Олег Сидоров,,oleg@example.ru,Вектор",
    ]

    def again(lines):
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = StringIO()
        call_command("import_records", str(path), "--kind=contacts", stdout=out)
        return out.getvalue()

    assert "created 3, updated 0, skipped 0" in again(rows)
    ivan = Contact.objects.get(external_id="1")
    assert [(p.e164, p.extension) for p in ivan.phones.all()] == [
        ("+79123456789", ""),
        ("+73832054051", "357"),
    ]
    history = Contact.history.count()
    assert "created 0, updated 0, skipped 3" in again(rows)
    assert Contact.history.count() == history

    rows[2] = rows[2].replace("123-45-67", "123-45-68")
    rows[3] = rows[3].replace("Вектор", "Альфа")
    assert "created 0, updated 2, skipped 1" in again(rows)
    maria = Contact.objects.get(external_id="2")
    assert [p.e164 for p in maria.phones.all()] == ["+74951234568"]
    assert list(maria.emails.values_list("email", flat=True)) == [
        "m@example.ru",
        "maria@example.com",
    ]
    assert Contact.objects.get(external_id="3").company.name == "Альфа"
    assert Contact.history.count() == history + 2


def test_unmapped_source_stages_are_named_once_with_where_they_can_go(tmp_path, stages, admin_user):
    """An opportunity export mapped without its stages: every row of an unknown stage is an
    error, and one line says which source stages are missing, how many rows each, and the
    pipeline's open stages to map them to, refused or skipped alike."""
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,deal_stage,engage_date,close_date,close_value\n"
        "O1,Won,2017-01-02,2017-02-01,500\n"
        "O2,Engaging,2017-01-05,,\n"
        "O3,Engaging,2017-01-06,,\n"
        "O4,Prospecting,,,\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.json"
    fields = {"external_id": "opportunity_id", "title": "opportunity_id", "stage": "deal_stage"}
    fields |= {"created_at": "engage_date", "closed_at": "close_date", "amount": "close_value"}
    mapping.write_text(json.dumps({"fields": fields}), "utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported: 3 errors"):
        call_command(
            "import_records", str(path), "--kind", "deals", "--mapping", str(mapping), stderr=err
        )
    hint = [line for line in err.getvalue().splitlines() if line.startswith("Source stages")]
    assert len(hint) == 1
    assert "Engaging (2 rows), Prospecting (1 row)" in hint[0]
    assert stages["lead"].name in hint[0] and stages["qualification"].name in hint[0]
    assert not Deal.objects.exists()

    out, err = StringIO(), StringIO()
    call_command(
        "import_records", str(path), "--kind", "deals", "--mapping", str(mapping),
        "--skip-invalid", stdout=out, stderr=err,
    )  # fmt: skip
    assert "created 1, updated 0, skipped 3" in out.getvalue()
    assert "Engaging (2 rows), Prospecting (1 row)" in err.getvalue()


def test_a_partial_mapping_keeps_the_suggested_columns_for_the_rest(tmp_path, stages, admin_user):
    """A mapping that gives only what the header leaves unclear (the stage names, one
    column) still imports the columns the header suggests. Before, a "fields" object with
    one entry imported only that column: every deal went in undated, unstaged and without
    an amount, and nothing said so."""
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "O1,Anna,Basic,Acme,Won,2017-01-02,2017-02-01,500\n"
        "O2,Anna,Pro,,Engaging,2017-01-05,,\n"
        "O3,Boris,Pro,Acme,Lost,2017-01-06,2017-03-01,0\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.json"
    stage_map = {"Engaging": stages["qualification"].name}
    # the amount column is left out (null); the title is taken from the product column
    fields = {"title": "product", "amount": None}
    mapping.write_text(json.dumps({"fields": fields, "stages": stage_map}), "utf-8")
    out = import_deals(path, mapping)
    assert "created 3" in out
    used = next(line for line in out.splitlines() if line.startswith("columns: "))
    assert "title <- product" in used and "stage <- deal_stage" in used
    assert "created_at <- engage_date" in used and "amount" not in used
    assert "not imported: close_value" in out
    deals = {d.external_id: d for d in Deal.objects.select_related("stage", "owner", "company")}
    assert deals["O1"].stage == stages["won"] and deals["O3"].stage == stages["lost"]
    assert deals["O2"].stage == stages["qualification"]
    assert deals["O1"].title == "Basic" and deals["O1"].company.name == "Acme"
    assert deals["O1"].closed_at.astimezone(MSK).date().isoformat() == "2017-02-01"
    assert "Boris" in str(deals["O3"].owner) and deals["O1"].owner == deals["O2"].owner
    assert all(d.amount == 0 for d in deals.values())  # not filled


def test_a_column_given_to_one_field_is_not_suggested_for_another(tmp_path, stages, admin_user):
    """The header suggests opportunity_id for the key; given as the title only, it is not
    also taken as the key, and the file without a title column names its deals itself."""
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,account,deal_stage,engage_date,close_date,close_value\n"
        "O1,Acme,Won,2017-01-02,2017-02-01,500\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"fields": {"title": "opportunity_id"}}), "utf-8")
    out = import_deals(path, mapping)
    assert "external_id" not in out.splitlines()[0]
    deal = Deal.objects.get()
    assert deal.title == "O1" and deal.external_id in ("", None)
    # no mapping at all: the key is suggested and the deal is named by company and key
    Deal.objects.all().delete()
    call_command("import_records", str(path), "--kind", "deals", stdout=StringIO())
    deal = Deal.objects.get()
    assert (deal.external_id, deal.title) == ("O1", "Acme · O1")


def test_deals_without_any_date_are_created_at_the_files_latest_date(tmp_path, stages, admin_user):
    """An export of 2017 read today: its prospects without a date existed by the export,
    which its latest date tells, not at the moment of the import (a replay of the history
    would find them nine years after everything else)."""
    path = tmp_path / "pipeline.csv"
    path.write_text(
        "opportunity_id,deal_stage,engage_date,close_date,close_value\n"
        "O1,Won,2017-01-02,2017-02-01,500\n"
        "O2,Engaging,2017-03-05,,\n"
        "O3,Prospecting,,,\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.json"
    names = {"Engaging": stages["qualification"].name, "Prospecting": stages["lead"].name}
    mapping.write_text(json.dumps({"stages": names}), "utf-8")
    out = import_deals(path, mapping)
    assert (
        "1 deals had no date at all; they were created at the file's latest date, 2017-03-05" in out
    )
    o3 = Deal.objects.get(external_id="O3")
    assert o3.created_at.astimezone(MSK).date().isoformat() == "2017-03-05"
    assert o3.stage == stages["lead"] and o3.stage_entered_at == o3.created_at
    # a re-import keeps it where it is
    import_deals(path, mapping)
    assert Deal.objects.get(external_id="O3").created_at == o3.created_at


def test_a_reimport_without_titles_keeps_the_deals_titles(tmp_path, stages, admin_user):
    """Deals imported with their titles, then a file of the same keys without a title
    column (amounts only): the titles stay, the amounts change; a new key in it is named
    by its key."""
    first = tmp_path / "first.csv"
    first.write_text("id,name,stage,created,amount\nK1,Станки,Won,2017-01-02,500\n", "utf-8")
    again = tmp_path / "again.csv"
    again.write_text(
        "id,stage,created,amount\nK1,Won,2017-01-02,700\nK2,Won,2017-01-03,1\n", "utf-8"
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"fields": {"won_at": "created"}}), "utf-8")
    import_deals(first, mapping)
    assert Deal.objects.get(external_id="K1").title == "Станки"
    import_deals(again, mapping)
    k1 = Deal.objects.get(external_id="K1")
    assert (k1.title, k1.amount) == ("Станки", Decimal("700"))
    assert Deal.objects.get(external_id="K2").title == "K2"


def test_a_partial_stage_changes_mapping_keeps_the_suggested_columns(files):
    """The stage-changes part of the mapping adds to the header's suggestions as the
    fields do: naming one column does not leave the others out."""
    mapping = json.loads(files["mapping"].read_text("utf-8"))
    mapping["stage_changes"] = {"changed_at": "Когда"}
    files["mapping"].write_text(json.dumps(mapping, ensure_ascii=False), "utf-8")
    run(files)
    d2 = Deal.objects.get(external_id="D2")
    assert StageChange.objects.filter(deal=d2).count() == 4  # creation, 2 moves, the win

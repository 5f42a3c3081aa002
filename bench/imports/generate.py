"""Write a deals file (with companies and contacts) and a stage-changes file to import.

Deterministic for a seed: deals created over two years, each walking the source stages
Лид -> Квалификация -> КП -> Переговоры and ending won, lost or still open, with owners,
companies (a fifth of the deals' count), contacts with phones and e-mails.

    python bench/imports/generate.py N OUT_DIR [--seed 1] [--end 2025-10-31]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

SOURCE_STAGES = ["Лид", "Квалификация", "КП", "Переговоры"]
OWNERS = [
    "Анна Смирнова",
    "Борис Кузнецов",
    "Вера Попова",
    "Глеб Соколов",
    "Дарья Лебедева",
    "Егор Козлов",
    "Жанна Новикова",
    "Захар Морозов",
]
REASONS = ["Дорого", "Выбрали конкурента", "Нет бюджета", "Пропал"]
MAPPING = {
    "fields": {
        "external_id": "ID",
        "title": "Сделка",
        "amount": "Бюджет",
        "stage": "Этап",
        "created_at": "Создана",
        "won_at": "Дата успеха",
        "lost_at": "Дата отказа",
        "lost_reason": "Причина отказа",
        "owner": "Ответственный",
        "company": "Компания",
        "contact": "Контакт",
        "contact_phone": "Телефон",
        "contact_email": "Email",
    },
    "stages": {
        "Лид": "Новый лид",
        "Квалификация": "Квалификация",
        "КП": "Оценка вероятности",
        "Переговоры": "Закрытие",
        "Успех": "Успешно",
        "Отказ": "Закрыто и не реализовано",
    },
    "stage_changes": {
        "deal_key": "ID сделки",
        "from_stage": "Было",
        "to_stage": "Стало",
        "changed_at": "Когда",
    },
}


def generate(n: int, out: Path, seed: int = 1, end: datetime | None = None) -> dict:
    rnd = random.Random(seed)
    end = end or datetime(2025, 10, 31)
    start = end - timedelta(days=730)
    out.mkdir(parents=True, exist_ok=True)
    n_companies = max(1, n // 5)
    deals_path, changes_path = out / "deals.csv", out / "stage_changes.csv"
    with (
        open(deals_path, "w", newline="", encoding="utf-8-sig") as fd,
        open(changes_path, "w", newline="", encoding="utf-8-sig") as fc,
    ):
        deals = csv.writer(fd, delimiter=";")
        changes = csv.writer(fc, delimiter=";")
        deals.writerow(
            [
                "ID", "Сделка", "Бюджет", "Этап", "Создана", "Дата успеха", "Дата отказа",
                "Причина отказа", "Ответственный", "Компания", "Контакт", "Телефон", "Email",
            ]
        )  # fmt: skip
        changes.writerow(["ID сделки", "Было", "Стало", "Когда"])
        for i in range(1, n + 1):
            created = start + timedelta(seconds=rnd.randrange(int((end - start).total_seconds())))
            skill = rnd.random()
            amount = round(rnd.lognormvariate(12, 1.0), -2)
            t, stage, outcome = created, 0, None
            moves = []
            while True:
                t = t + timedelta(days=rnd.expovariate(1 / 12), hours=rnd.randrange(9))
                if t > end:
                    break
                if rnd.random() < 0.25 + 0.2 * (1 - skill):
                    outcome = "Отказ"
                    break
                if stage == len(SOURCE_STAGES) - 1:
                    outcome = "Успех" if rnd.random() < 0.4 + 0.5 * skill else "Отказ"
                    break
                moves.append((SOURCE_STAGES[stage], SOURCE_STAGES[stage + 1], t))
                stage += 1
            current = outcome or SOURCE_STAGES[stage]
            for frm, to, when in moves:
                changes.writerow([f"B{i}", frm, to, when.strftime("%d.%m.%Y %H:%M")])
            company = rnd.randrange(n_companies)
            contact = f"Контакт {i % (n // 2 + 1)}"
            deals.writerow(
                [
                    f"B{i}",
                    f"Сделка {i}",
                    f"{amount:,.2f}".replace(",", " ").replace(".", ","),
                    current,
                    created.strftime("%d.%m.%Y %H:%M"),
                    t.strftime("%d.%m.%Y %H:%M") if outcome == "Успех" else "",
                    t.strftime("%d.%m.%Y %H:%M") if outcome == "Отказ" else "",
                    rnd.choice(REASONS) if outcome == "Отказ" else "",
                    OWNERS[i % len(OWNERS)],
                    f"ООО Компания {company}",
                    contact,
                    f"+7 9{(i * 7919) % 100:02d} {(i * 104729) % 1000:03d}-{i % 100:02d}-"
                    f"{(i // 100) % 100:02d}",
                    f"contact{i % (n // 2 + 1)}@example.ru",
                ]
            )
    mapping_path = out / "mapping.json"
    mapping_path.write_text(json.dumps(MAPPING, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"deals": deals_path, "changes": changes_path, "mapping": mapping_path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2025-10-31")
    args = parser.parse_args()
    paths = generate(args.n, Path(args.out), args.seed, datetime.fromisoformat(args.end))
    print(" ".join(str(p) for p in paths.values()))

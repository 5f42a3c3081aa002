"""The default pipeline of the specification (§3), created on first start."""

DEFAULT_PIPELINE = {
    "name": {"ru": "Продажи", "en": "Sales"},
    "stages": [
        {
            "name": {"ru": "Новый лид", "en": "New lead"},
            "kind": "open",
            "probability": 5,
            "stale_after_days": 3,
            "is_lead_stage": True,
            "criteria": [],
        },
        {
            "name": {"ru": "Квалификация", "en": "Qualification"},
            "kind": "open",
            "probability": 15,
            "stale_after_days": 7,
            "criteria": [{"kind": "next_step"}],
        },
        {
            "name": {"ru": "Оценка вероятности", "en": "Probability"},
            "kind": "open",
            "probability": 40,
            "stale_after_days": 10,
            "criteria": [
                {
                    "kind": "question",
                    "label": {"ru": "Подходит ли клиенту цена?", "en": "Does the price fit?"},
                },
                {
                    "kind": "question",
                    "label": {
                        "ru": "Достаточно ли у покупателя полномочий, чтобы подписать сделку?",
                        "en": "Does the buyer have the authority to sign?",
                    },
                },
                {"kind": "field", "field": "decision_date"},
            ],
        },
        {
            "name": {"ru": "Закрытие", "en": "Closing"},
            "kind": "open",
            "probability": 75,
            "stale_after_days": 14,
            "criteria": [
                {"kind": "milestone", "milestone": "contract", "milestone_date": "planned"},
                {"kind": "milestone", "milestone": "invoice", "milestone_date": "planned"},
                {"kind": "milestone", "milestone": "payment", "milestone_date": "planned"},
            ],
        },
        {
            "name": {"ru": "Успешно", "en": "Won"},
            "kind": "won",
            "probability": 100,
            "criteria": [],
        },
        {
            "name": {"ru": "Закрыто и не реализовано", "en": "Lost"},
            "kind": "lost",
            "probability": 0,
            "criteria": [],
        },
    ],
}

DEFAULT_LOST_REASONS = [
    {"ru": "Дорого", "en": "Too expensive"},
    {"ru": "Выбрали конкурента", "en": "Chose a competitor"},
    {"ru": "Нет бюджета", "en": "No budget"},
    {"ru": "Не отвечает", "en": "No response"},
    {"ru": "Нет потребности", "en": "No need"},
    {"ru": "Сроки не подходят", "en": "Timing does not fit"},
]


def pick(text: dict, lang: str) -> str:
    return text.get(lang) or text["en"]


def create_default_pipeline(Pipeline, Stage, StageCriterion, LostReason, lang: str):
    """Create the default pipeline with the given model classes (works in migrations)."""
    lang = (lang or "ru")[:2]
    pipeline = Pipeline.objects.create(name=pick(DEFAULT_PIPELINE["name"], lang), order=0)
    for order, spec in enumerate(DEFAULT_PIPELINE["stages"]):
        stage = Stage.objects.create(
            pipeline=pipeline,
            name=pick(spec["name"], lang),
            order=order * 10,
            kind=spec["kind"],
            probability=spec["probability"],
            stale_after_days=spec.get("stale_after_days"),
            is_lead_stage=spec.get("is_lead_stage", False),
        )
        for corder, crit in enumerate(spec["criteria"]):
            StageCriterion.objects.create(
                stage=stage,
                kind=crit["kind"],
                label=pick(crit["label"], lang) if "label" in crit else "",
                field=crit.get("field", ""),
                milestone=crit.get("milestone", ""),
                milestone_date=crit.get("milestone_date", ""),
                order=corder,
            )
    if not LostReason.objects.exists():
        for order, reason in enumerate(DEFAULT_LOST_REASONS):
            LostReason.objects.create(name=pick(reason, lang), order=order)
    return pipeline

"""Deterministic demo data: a year in the life of a sales team.

Everything structural (who, what, how much, which path through the pipeline) comes from
``random.Random(seed)``; the timeline is anchored so that it ends "now". Time jitter (working
hours) has its own generator, so the structure never depends on the hour the command runs.

Rows are written with ``bulk_create`` in batches (100,000 deals take well under three
minutes on SQLite); next step and last activity of each deal are computed here, in Python,
in the same way as ``voronka.activities.services.refresh_deal_activity`` computes them.
Field history (django-simple-history) gets a creation row for companies and contacts and a
creation row plus a final row for every deal that moved, built in bulk as well.
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from stdnum.ru import inn as inn_mod
from stdnum.ru import ogrn as ogrn_mod

from voronka.accounts.models import Team, User
from voronka.activities.models import Activity, Note
from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber
from voronka.core.phones import PhoneError, parse_phone
from voronka.deals.defaults import DEFAULT_LOST_REASONS, pick
from voronka.deals.models import (
    Deal,
    DealAnswer,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    StageCriterion,
    Tag,
)
from voronka.deals.search import build_search_text
from voronka.deals.setup import ensure_default_pipeline
from voronka.forecasting.engine.data import add_months
from voronka.plans.models import PeriodKind, SalesPlan
from voronka.plans.values import Period
from voronka.web.management import demo_words as W

DAY = 86400.0
HOUR = 3600.0
MSK = 3 * HOUR  # Moscow keeps UTC+3 all year
WORK_START = 9 * HOUR
WORK_END = 19 * HOUR
YEAR_DAYS = 365.0

WON = -1
LOST = -2

# Per rep: how much more often they win than the team, how fast they move.
REP_WIN = [1.35, 1.15, 1.05, 0.95, 0.85, 0.68]
REP_SPEED = [0.8, 0.9, 1.0, 1.05, 1.15, 1.3]
REP_WEIGHT = [1.2, 1.1, 1.0, 1.0, 0.9, 0.8]
# Open deals (with an owner) left in their stage for one to three months without a touch:
# the stale deals a head of sales is shown to act on.
FORGOTTEN_SHARE = 0.08


@dataclass
class DemoOptions:
    deals: int = 1500
    seed: int = 1
    lang: str = "ru"
    # about a month's deals: what is in progress at any moment of the history (more would
    # make the pipeline at the end larger than it ever was before)
    open_share: float = 0.06
    activities_per_deal: float = 3.0
    history: bool = True
    batch_size: int = 5000
    now: datetime | None = None


@dataclass
class DemoResult:
    credentials: list[tuple[str, str, str, bool]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Flow:
    """A pipeline as the generator sees it."""

    pipeline: Pipeline
    open_stages: list[Stage]
    won: Stage
    lost: Stage
    conversion: list[float]  # chance to move on from each open stage
    days: list[float]  # median days spent in each open stage
    open_weights: list[float]  # where the open deals sit
    question_stage: int  # index of the stage with control questions
    questions: list[StageCriterion]
    milestone_stage: int  # index of the stage that needs planned milestone dates
    gated: dict[int, StageCriterion]  # open stage index -> a criterion (for overrides)
    median_amount: float
    subject_level: list[int]  # open stage index -> row of SUBJECTS


class DealPlan:
    __slots__ = (
        "flow",
        "title",
        "amount",
        "owner",
        "company",
        "contacts",
        "source",
        "seq",
        "times",
        "overrides",
        "is_open",
        "lost_reason",
        "lost_note",
        "manual_prob",
        "tag",
        "acts",
        "notes",
        "answers",
        "fields",
        "next_step_at",
        "last_activity_at",
        "forgotten",
        "obj",
    )


class CompanyPlan:
    __slots__ = (
        "name",
        "legal",
        "short",
        "inn",
        "kpp",
        "ogrn",
        "website",
        "address",
        "domain",
        "source",
        "owner",
        "phone",
        "email",
        "contacts",
        "first_ts",
        "last_won_ts",
        "obj",
    )


class ContactPlan:
    __slots__ = (
        "name",
        "first",
        "last",
        "position",
        "company",
        "owner",
        "phones",
        "emails",
        "source",
        "first_ts",
        "last_won_ts",
        "obj",
    )


# ---------------------------------------------------------------- time helpers


def _weekday(day: int) -> int:
    return (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def closed_window(total_days: float, n_open: int) -> float:
    """The span (days) over which a closed deal's end is drawn, counted back from now, for a
    deal that spent ``total_days`` in a pipeline of ``n_open`` open stages: its creation
    then falls inside the last year (with up to two moves back to an earlier stage).

    The room left for snapping each step back to working hours (up to 3 days a step) is
    the same for every deal of the pipeline. Sized by each deal's own number of steps, it
    let lost deals (fewer steps) start days before any won one, and the first weeks of the
    history converted a fifth less than the rest of the year.
    """
    return max(YEAR_DAYS - total_days - 3.0 * (n_open + 4), 5.0)


def snap_back(t: float, jitter: float) -> float:
    """The latest working moment (Mon-Fri, 9-19 Moscow) not after ``t``."""
    local = t + MSK
    day, sec = divmod(local, DAY)
    day = int(day)
    if sec > WORK_END:
        sec = WORK_END - jitter
    elif sec < WORK_START:
        day -= 1
        sec = WORK_END - jitter
    wd = _weekday(day)
    if wd >= 5:
        day -= wd - 4
        sec = WORK_END - jitter
    return day * DAY + sec - MSK


def snap_forward(t: float, jitter: float) -> float:
    """The earliest working moment not before ``t``."""
    local = t + MSK
    day, sec = divmod(local, DAY)
    day = int(day)
    if sec < WORK_START:
        sec = WORK_START + jitter
    elif sec > WORK_END:
        day += 1
        sec = WORK_START + jitter
    wd = _weekday(day)
    if wd >= 5:
        day += 7 - wd
        sec = WORK_START + jitter
    return day * DAY + sec - MSK


def at_work_hour(t: float, hour_fraction: float) -> float:
    """The same Moscow day as ``t`` at a working hour picked by ``hour_fraction``."""
    day = math.floor((t + MSK) / DAY)
    return day * DAY + WORK_START + hour_fraction * (WORK_END - WORK_START - HOUR) - MSK


def as_dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def as_date(ts: float) -> date:
    return datetime.fromtimestamp(ts + MSK, UTC).date()


def weighted(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights=weights, k=1)[0]


class RowFactory:
    """Unsaved model instances built positionally from attribute names.

    Several times faster than keyword arguments, which matters for a million rows. Only
    attribute names (``deal_id``, not ``deal``) are accepted; the rest keep their defaults.
    """

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.template = [None if f.primary_key else f.get_default() for f in fields]

    def __call__(self, **values):
        row = self.template.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return self.model(*row)


# ---------------------------------------------------------------- the generator


class DemoBuilder:
    def __init__(self, opts: DemoOptions, log: Callable[[str], None] = print):
        self.o = opts
        self.lang = "en" if opts.lang == "en" else "ru"
        self.rng = random.Random(opts.seed)
        self.trng = random.Random(opts.seed * 7919 + 17)
        # which open deals were left without a touch for weeks: its own generator, so the
        # rest of the base is the same whichever deals it picks
        self.forget_rng = random.Random(opts.seed * 7919 + 41)
        self.now = (opts.now or timezone.now()).timestamp()
        self.today = as_date(self.now)
        self.log = log
        self.result = DemoResult()
        self.used_inn: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_emails: set[str] = set()
        self.used_company_names: set[str] = set()
        self.factories: dict[type, RowFactory] = {}

    def new(self, model, **values):
        factory = self.factories.get(model)
        if factory is None:
            factory = self.factories[model] = RowFactory(model)
        return factory(**values)

    def tr(self, text: str) -> str:
        return W.translit(text) if self.lang == "en" else text

    # ------------------------------------------------------------ setup rows

    def ensure_people(self):
        team, _ = Team.objects.get_or_create(name=W.TEAM_NAME[self.lang])
        users = {}
        for username, role, fru, lru, fen, len_ in W.PEOPLE:
            first, last = (fen, len_) if self.lang == "en" else (fru, lru)
            password = f"demo-{username}"
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.voronka.local",
                    role=role,
                    team=None if role == "admin" else team,
                    language=self.lang,
                    is_staff=role == "admin",
                    is_superuser=role == "admin",
                    password=make_password(password),
                )
                user.save()
            users[username] = user
            self.result.credentials.append((username, password, role, created))
        self.admin = users["admin"]
        self.head = users["head"]
        self.reps = [users[f"rep{i}"] for i in range(1, 7)]

    def ensure_lost_reasons(self):
        reasons = list(LostReason.objects.filter(is_active=True).order_by("order", "pk"))
        if not reasons:
            for order, reason in enumerate(DEFAULT_LOST_REASONS):
                LostReason.objects.create(name=pick(reason, self.lang), order=order)
            reasons = list(LostReason.objects.order_by("order", "pk"))
        self.reasons = reasons
        # Early losses are mostly silence and no need; late ones price and competitors.
        base = {
            "early": [0.5, 0.5, 1.0, 4.0, 3.0, 1.0],
            "middle": [3.0, 2.0, 3.0, 1.0, 1.0, 1.0],
            "late": [2.0, 4.0, 1.0, 0.5, 0.3, 2.0],
        }
        self.reason_weights = {
            k: [v[i] if i < len(v) else 1.0 for i in range(len(reasons))] for k, v in base.items()
        }

    def ensure_tags(self):
        self.tags = [Tag.objects.get_or_create(name=name)[0] for name in W.TAGS[self.lang]]

    def ensure_repeat_pipeline(self) -> Pipeline:
        spec = W.REPEAT_PIPELINE
        names = {spec["name"]["ru"], spec["name"]["en"]}
        existing = Pipeline.objects.filter(name__in=names).order_by("pk").first()
        if existing is not None:
            return existing
        order = (Pipeline.objects.order_by("-order").values_list("order", flat=True).first()) or 0
        pipeline = Pipeline.objects.create(name=pick(spec["name"], self.lang), order=order + 10)
        for i, st in enumerate(spec["stages"]):
            stage = Stage.objects.create(
                pipeline=pipeline,
                name=pick(st["name"], self.lang),
                order=i * 10,
                kind=st["kind"],
                probability=st["probability"],
                stale_after_days=st.get("stale_after_days"),
            )
            for j, crit in enumerate(st["criteria"]):
                StageCriterion.objects.create(
                    stage=stage,
                    kind=crit["kind"],
                    label=pick(crit["label"], self.lang) if "label" in crit else "",
                    milestone=crit.get("milestone", ""),
                    milestone_date=crit.get("milestone_date", ""),
                    order=j,
                )
        return pipeline

    def make_flow(self, pipeline: Pipeline, repeat: bool) -> Flow:
        stages = list(pipeline.stages.order_by("order", "pk"))
        open_stages = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        n = len(open_stages)
        criteria = {}
        for c in StageCriterion.objects.filter(stage__pipeline=pipeline, is_active=True).order_by(
            "stage__order", "order", "pk"
        ):
            criteria.setdefault(c.stage_id, []).append(c)
        idx_of = {s.pk: i for i, s in enumerate(open_stages)}
        questions_by_stage = {
            idx_of[sid]: [c for c in cs if c.kind == "question"]
            for sid, cs in criteria.items()
            if sid in idx_of
        }
        q_stage = next((i for i in sorted(questions_by_stage) if questions_by_stage[i]), -1)
        m_stage = next(
            (
                idx_of[sid]
                for sid, cs in criteria.items()
                if sid in idx_of and any(c.kind == "milestone" for c in cs)
            ),
            n - 1,
        )
        gated = {idx_of[sid]: cs[0] for sid, cs in criteria.items() if sid in idx_of and cs}
        if repeat:
            conv_base, days_base, weights, median = [0.72, 0.68, 0.78], [3.0, 7.0, 6.0], None, 1.2e5
        else:
            conv_base = [0.75, 0.65, 0.65, 0.82]
            days_base = [1.5, 6.0, 9.0, 8.0]
            weights, median = [0.2, 0.35, 0.25, 0.2], 2.5e5
        conversion = [conv_base[min(i, len(conv_base) - 1)] for i in range(n)]
        days = [days_base[min(i, len(days_base) - 1)] for i in range(n)]
        open_weights = weights if weights and len(weights) == n else [1.0] * n
        levels = (
            [0, 1, 2, 3] if n == 4 else [min(3, round(i * 3 / max(1, n - 1))) for i in range(n)]
        )
        if repeat and n == 3:
            levels = [1, 2, 3]
        return Flow(
            pipeline=pipeline,
            open_stages=open_stages,
            won=won,
            lost=lost,
            conversion=conversion,
            days=days,
            open_weights=open_weights,
            question_stage=q_stage,
            questions=questions_by_stage.get(q_stage, []),
            milestone_stage=m_stage,
            gated=gated,
            median_amount=median,
            subject_level=levels,
        )

    # ------------------------------------------------------------ people and companies

    def person(self, rng: random.Random):
        female = rng.random() < 0.45
        first = rng.choice(W.FEMALE_NAMES if female else W.MALE_NAMES)
        last = rng.choice(W.SURNAMES) + ("а" if female else "")
        patronymic = rng.choice(W.PATRONYMICS)[1 if female else 0]
        return first, last, patronymic

    def mobile(self, rng: random.Random) -> tuple[str, str]:
        while True:
            code = rng.choice(W.MOBILE_CODES)
            digits = f"{rng.randrange(2000000, 10000000)}"
            e164 = f"+7{code}{digits}"
            if e164 not in self.used_phones:
                self.used_phones.add(e164)
                return code, digits

    @staticmethod
    def phone_text(code: str, digits: str, style: int, ext: str = "") -> str:
        a, b, c = digits[:3], digits[3:5], digits[5:]
        text = [
            f"+7 ({code}) {a}-{b}-{c}",
            f"8 {code} {a} {b} {c}",
            f"8{code}{digits}",
            f"+7{code}{digits}",
            f"8-{code}-{a}-{b}-{c}",
            f"+7 {code} {digits}",
            f"({code}) {a}-{b}-{c}",
        ][style % 7]
        return f"{text} доб. {ext}" if ext else text

    def parsed(self, text: str) -> tuple[str, str, str]:
        p = parse_phone(text)
        return p.raw, p.e164, p.extension

    def new_inn(self, rng: random.Random, region: str, personal: bool) -> str:
        while True:
            office = f"{rng.randrange(1, 46):02d}"
            if personal:
                body = f"{region}{office}{rng.randrange(0, 1000000):06d}"
                inn = body + inn_mod.calc_personal_check_digits(body)
            else:
                body = f"{region}{office}{rng.randrange(0, 100000):05d}"
                inn = body + inn_mod.calc_company_check_digit(body)
            if inn not in self.used_inn:
                self.used_inn.add(inn)
                return inn

    @staticmethod
    def new_ogrn(rng: random.Random, region: str, personal: bool) -> str:
        while True:
            year = f"{rng.randrange(2, 24):02d}"
            if personal:
                body = f"3{year}{region}{rng.randrange(0, 10**9):09d}0"
            else:
                body = f"1{year}{region}{rng.randrange(0, 100):02d}{rng.randrange(0, 10**5):05d}0"
            check = ogrn_mod.calc_check_digit(body)
            if len(check) == 1:
                return body[:-1] + check

    def plan_companies(self, n: int) -> list[CompanyPlan]:
        rng = self.rng
        en = self.lang == "en"
        regions = W.REGIONS
        region_w = [r[4] for r in regions]
        forms = W.LEGAL_FORMS[self.lang]
        form_w = [f[2] for f in forms]
        src_w = [s[2] for s in W.SOURCES]
        out = []
        for _ in range(n):
            c = CompanyPlan()
            region = weighted(rng, regions, region_w)
            code, city_ru, city_en, area, _w = region
            short_form, long_form, _fw = weighted(rng, forms, form_w)
            personal = short_form in ("ИП", "IE")
            root = rng.choice(W.COMPANY_ROOTS)
            suffix = rng.choice(W.COMPANY_SUFFIXES)
            joiner = "-" if suffix and rng.random() < 0.3 else ""
            base = root + joiner + (suffix.lower() if joiner == "" else suffix)
            city = city_en if en else city_ru
            if personal:
                first, last, patronymic = self.person(rng)
                base = f"{last} {first[0]}. {patronymic[0]}."
                short = self.tr(base)
                name = f"{short_form} {short}"
                legal = f"{long_form} {self.tr(f'{last} {first} {patronymic}')}"
            else:
                short = self.tr(base)
                candidate = short
                if candidate in self.used_company_names:
                    candidate = f"{short} {city}"
                k = 2
                while candidate in self.used_company_names:
                    candidate = f"{short} {city} {k}"
                    k += 1
                short = candidate
                name = f"{short} {short_form}" if en else f"{short_form} «{short}»"
                legal = f"{long_form} «{short}»"
            self.used_company_names.add(short)
            c.name, c.legal, c.short = name, legal, short
            c.inn = self.new_inn(rng, code, personal)
            c.kpp = "" if personal else f"{c.inn[:4]}01001"
            c.ogrn = self.new_ogrn(rng, code, personal)
            slug = W.translit(base).lower()
            slug = "".join(ch for ch in slug if ch.isalnum() or ch == "-").strip("-") or "company"
            c.domain = f"{slug}.ru"
            c.website = f"https://{c.domain}" if rng.random() < 0.7 else ""
            street = rng.choice(W.STREETS)
            house = rng.randrange(1, 120)
            office = rng.randrange(1, 400)
            c.address = (
                f"{city}, {W.translit(street)} st. {house}, office {office}"
                if en
                else f"г. {city}, ул. {street}, д. {house}, оф. {office}"
            )
            c.source = weighted(rng, W.SOURCES, src_w)[1 if en else 0]
            c.owner = rng.choices(range(6), weights=REP_WEIGHT, k=1)[0]
            while True:
                digits = f"{rng.randrange(2000000, 10000000)}"
                ext = f"{rng.randrange(100, 999)}" if rng.random() < 0.15 else ""
                text = self.phone_text(area, digits, rng.randrange(7), ext)
                try:
                    raw, e164, extension = self.parsed(text)
                except PhoneError:
                    continue
                if e164 not in self.used_phones or extension:
                    self.used_phones.add(e164)
                    c.phone = (raw, e164, extension)
                    break
            c.email = f"info@{c.domain}" if rng.random() < 0.8 else ""
            c.contacts = []
            c.first_ts = None
            c.last_won_ts = None
            out.append(c)
        return out

    def new_contact(self, company: CompanyPlan | None, owner) -> ContactPlan:
        rng = self.rng
        p = ContactPlan()
        first, last, patronymic = self.person(rng)
        style = rng.random()
        if style < 0.6:
            name = f"{first} {last}"
        elif style < 0.9:
            name = f"{last} {first} {patronymic}"
        else:
            name = f"{first} {patronymic} {last}"
        p.first, p.last = first, last
        p.name = self.tr(name)
        p.position = rng.choice(W.POSITIONS[self.lang]) if company else ""
        p.company = company
        p.owner = owner
        code, digits = self.mobile(rng)
        raw, e164, ext = self.parsed(self.phone_text(code, digits, rng.randrange(7)))
        p.phones = [(raw, e164, ext)]
        if rng.random() < 0.12:
            code2, digits2 = self.mobile(rng)
            p.phones.append(self.parsed(self.phone_text(code2, digits2, rng.randrange(7))))
        p.emails = []
        if rng.random() < 0.8:
            domain = company.domain if company else rng.choice(W.PERSONAL_DOMAINS)
            local = (
                f"{W.translit(first).lower()}.{W.translit(last).lower()}"
                if rng.random() < 0.6
                else f"{W.translit(first)[0].lower()}.{W.translit(last).lower()}"
            )
            email = f"{local}@{domain}"
            k = 2
            while email in self.used_emails:
                email = f"{local}{k}@{domain}"
                k += 1
            self.used_emails.add(email)
            p.emails.append(email)
        p.source = company.source if company else ""
        p.first_ts = None
        p.last_won_ts = None
        if company is not None:
            company.contacts.append(p)
        return p

    def plant_duplicates(self, contacts: list[ContactPlan], n: int) -> list[ContactPlan]:
        """The same people typed again, differently: what the duplicate search must find."""
        rng = self.rng
        pool = [c for c in contacts if c.company is not None and c.owner is not None]
        if not pool:
            return []
        dups = []
        for i, orig in enumerate(rng.sample(pool, min(n, len(pool)))):
            d = ContactPlan()
            variant = i % 3
            first, last = self.tr(orig.first), self.tr(orig.last)
            if variant == 0:
                # "Иванов Иван" for "Иван Иванов" (or the other way), phone retyped.
                d.name = f"{last} {first}" if orig.name.startswith(first) else f"{first} {last}"
            elif variant == 1:
                d.name = f"{first} {last}"
            else:
                d.name = f"{first} {last}".upper() if rng.random() < 0.3 else f"{last} {first}"
            raw, e164, ext = orig.phones[0]
            national = e164[2:]
            retyped = self.phone_text(national[:3], national[3:], rng.randrange(7))
            while retyped == raw:
                retyped = self.phone_text(national[:3], national[3:], rng.randrange(7))
            d.phones = [] if (variant == 1 and orig.emails) else [self.parsed(retyped)]
            d.emails = []
            if orig.emails and variant != 0:
                e = orig.emails[0]
                d.emails = [e.upper() if rng.random() < 0.5 else e.capitalize()]
            d.first, d.last = orig.first, orig.last
            d.position = orig.position if rng.random() < 0.5 else ""
            d.company = orig.company if rng.random() < 0.5 else None
            d.owner = rng.randrange(6) if rng.random() < 0.5 else orig.owner
            d.source = ""
            d.first_ts = None
            d.last_won_ts = None
            d.obj = orig  # remembered until timestamps are known
            dups.append(d)
        return dups

    # ------------------------------------------------------------ deals

    def plan_deal(self, flow: Flow, company, owner, is_open: bool, repeat: bool) -> DealPlan:
        rng, trng = self.rng, self.trng
        lang = self.lang
        d = DealPlan()
        d.flow = flow
        d.is_open = is_open
        # Amount: log-normal around the pipeline's median, in thousands of roubles.
        amount = flow.median_amount * math.exp(rng.gauss(0.0, 0.9))
        amount = min(max(amount, 15000.0), 30_000_000.0)
        step = 1000 if amount < 1e6 else 10000
        amount = round(amount / step) * step
        d.amount = Decimal(amount).quantize(Decimal("0.01"))
        if repeat:
            source = W.REPEAT_SOURCE[1 if lang == "en" else 0]
            src_mult = 1.0
        else:
            src = weighted(rng, W.SOURCES, [s[2] for s in W.SOURCES])
            source, src_mult = src[1 if lang == "en" else 0], src[3]
        d.source = source
        products = (W.REPEAT_PRODUCTS if repeat else W.PRODUCTS)[lang]
        product = rng.choice(products)
        rep_i = owner if isinstance(owner, int) else None
        win_mult = REP_WIN[rep_i] if rep_i is not None else 1.0
        speed = REP_SPEED[rep_i] if rep_i is not None else 1.0
        size = amount / flow.median_amount
        mult = win_mult * src_mult * size ** (-0.12)
        n = len(flow.open_stages)
        start = 1 if (not repeat and n > 2 and rng.random() < 0.25) else 0
        target = None
        if is_open:
            idx = list(range(start, n))
            target = weighted(rng, idx, [flow.open_weights[i] for i in idx])

        def dur(i: int) -> float:
            return flow.days[i] * speed * size**0.15 * math.exp(rng.gauss(0.0, 0.55))

        seq = [start]
        durs: list[float] = []
        overrides: list[int] = []  # positions in seq whose change was an override
        i = start
        lost_at = None
        while True:
            if is_open and i == target:
                break
            d_i = dur(i)
            if i >= 2 and rng.random() < 0.03:
                # Moved back one stage for a while, then forward again.
                durs.append(d_i * 0.4)
                seq.append(i - 1)
                durs.append(dur(i - 1) * 0.5)
                seq.append(i)
                d_i = dur(i) * 0.6
            if is_open:
                durs.append(d_i)
                if i in flow.gated and rng.random() < 0.02:
                    overrides.append(len(seq))
                i += 1
                seq.append(i)
                continue
            p = min(0.97, max(0.03, flow.conversion[i] * mult ** (1.0 / n)))
            if rng.random() < p:
                durs.append(d_i)
                if i == n - 1:
                    seq.append(WON)
                    break
                if i in flow.gated and rng.random() < 0.02:
                    overrides.append(len(seq))
                i += 1
                seq.append(i)
            else:
                durs.append(d_i * 1.4)
                seq.append(LOST)
                lost_at = i
                break
        # Unassigned requests wait in the lead inbox.
        if is_open and target == 0 and flow.open_stages[0].is_lead_stage and rng.random() < 0.35:
            owner = None
            company = None
        d.owner = owner
        d.company = company
        d.seq = seq
        d.overrides = overrides
        # Times: anchored at the end and laid out backwards over working hours.
        d.forgotten = False
        if is_open:
            e = dur(seq[-1])
            e *= rng.random() if rng.random() > 0.15 else 1.0 + 3.0 * rng.random()
            if owner is not None and self.forget_rng.random() < FORGOTTEN_SHARE:
                # in its stage for one to three months, untouched since its first days there
                d.forgotten = True
                e = 31.0 + 59.0 * self.forget_rng.random()
            end = self.now - max(e, 0.02) * DAY
        else:
            total = sum(durs)
            window = closed_window(total, n)
            end = self.now - (0.05 + rng.random() * window) * DAY
        times = [0.0] * len(seq)
        times[-1] = snap_back(end, trng.random() * 2 * HOUR)
        for k in range(len(seq) - 2, -1, -1):
            times[k] = snap_back(times[k + 1] - durs[k] * DAY, trng.random() * 2 * HOUR)
        d.times = times

        # Title, tags, manual probability.
        if company is not None:
            d.title = f"{product} — {company.short}"
        elif owner is None:
            d.title = ("Web request: " if lang == "en" else "Заявка с сайта: ") + product
        else:
            d.title = product  # completed with the contact's name below
        d.tag = rng.choice(self.tags) if rng.random() < 0.1 else None
        d.manual_prob = (
            rng.choice([10, 20, 30, 50, 60, 70, 80, 90])
            if is_open and rng.random() < 0.03
            else None
        )
        # Lost reason.
        d.lost_reason = None
        d.lost_note = ""
        if lost_at is not None:
            phase = "early" if lost_at <= 1 else ("middle" if lost_at < n - 1 else "late")
            d.lost_reason = weighted(rng, self.reasons, self.reason_weights[phase])
            if rng.random() < 0.3:
                d.lost_note = rng.choice(W.LOST_NOTES[lang])
        self.plan_fields(d, flow, durs, lost_at)
        self.plan_answers(d, flow, lost_at)
        self.plan_activities(d, flow)
        return d

    def plan_fields(self, d: DealPlan, flow: Flow, durs, lost_at):
        rng = self.rng
        seq, times = d.seq, d.times
        f = {}
        reached = len(flow.open_stages) if seq[-1] == WON else max(s for s in seq if s >= 0)
        # Expected close as estimated at creation (later deals slip past it).
        f["expected_close_date"] = as_date(times[0] + (14 + rng.random() * 46) * DAY)
        r_dec, r_c, r_i, r_p = rng.random(), rng.random(), rng.random(), rng.random()
        r_ia, r_pa, r_dd = rng.random(), rng.random(), rng.random()
        q = flow.question_stage
        if q >= 0 and (reached > q or (reached == q and r_dd < 0.6)):
            enter_q = times[seq.index(q)] if q in seq else times[0]
            f["decision_date"] = as_date(enter_q + (7 + r_dec * 28) * DAY)
        m = flow.milestone_stage
        if m in seq:
            enter_m = times[seq.index(m)]
            contract = enter_m + (3 + r_c * 17) * DAY
            invoice = contract + (1 + r_i * 4) * DAY
            payment = invoice + (5 + r_p * 15) * DAY
            f["contract_planned"] = as_date(contract)
            f["invoice_planned"] = as_date(invoice)
            f["payment_planned"] = as_date(payment)
            if d.is_open:
                f["expected_close_date"] = f["contract_planned"]
            if seq[-1] == WON:
                closed = times[-1]
                f["contract_actual"] = as_date(closed)
                inv = closed + r_ia * 3 * DAY
                pay = inv + (3 + r_pa * 22) * DAY
                if inv <= self.now:
                    f["invoice_actual"] = as_date(inv)
                    if pay <= self.now:
                        f["payment_actual"] = as_date(pay)
        d.fields = f

    def plan_answers(self, d: DealPlan, flow: Flow, lost_at):
        rng = self.rng
        q = flow.question_stage
        d.answers = []
        draws = [rng.random() for _ in range(len(flow.questions) + 2)]
        if q < 0 or q not in d.seq:
            return
        pos = d.seq.index(q)
        seg_end = d.times[pos + 1] if pos + 1 < len(d.times) else self.now
        at = d.times[pos] + draws[-1] * max(seg_end - d.times[pos], 60.0) * 0.8
        left_forward = any(s == WON or s > q for s in d.seq[pos + 1 :])
        if d.is_open and d.seq[-1] == q and draws[-2] < 0.3:
            return  # not answered yet
        for k, crit in enumerate(flow.questions):
            r = draws[k]
            if left_forward:
                ans = "yes" if r < 0.95 else "unknown"
            elif lost_at == q:
                ans = "no" if (k == 0 and r < 0.5) else ("unknown" if r < 0.7 else "yes")
            else:
                ans = "yes" if r < 0.5 else ("unknown" if r < 0.85 else "no")
            d.answers.append((crit, ans, at))

    def plan_activities(self, d: DealPlan, flow: Flow):
        rng, trng = self.rng, self.trng
        lang = self.lang
        subjects = W.SUBJECTS[lang]
        results = W.RESULTS[lang]
        seq, times = d.seq, d.times
        d.acts = []
        d.notes = []
        a = self.o.activities_per_deal
        p = min(max((a - 1.0) / 4.0, 0.0), 1.0)
        k_total = 1 + sum(1 for _ in range(4) if rng.random() < p)
        has_next = d.is_open and rng.random() < 0.8
        overdue = rng.random() < 0.18
        n_notes = (1 if rng.random() < 0.35 else 0) + (1 if rng.random() < 0.08 else 0)
        if d.owner is None:
            k_total, has_next, n_notes = 0, False, 0
        bound = self.now if d.is_open else times[-1]
        n_seg = len(seq) if d.is_open else len(seq) - 1
        k_done = k_total - 1 if has_next else k_total
        for _ in range(max(k_done, 0)):
            seg = rng.randrange(n_seg)
            frac, hour, lead, took = rng.random(), rng.random(), rng.random(), rng.random()
            s_idx = seq[seg]
            kind, subject = rng.choice(subjects[flow.subject_level[s_idx]])
            result = rng.choice(results)
            start = times[seg]
            stop = times[seg + 1] if seg + 1 < len(times) else self.now
            t = start + frac * (stop - start)
            t2 = at_work_hour(t, hour)
            if times[0] <= t2 <= bound:
                t = t2
            done_at = min(t + took * HOUR, bound)
            created = max(times[0], t - lead * 3 * DAY)
            d.acts.append((kind, subject, t, True, done_at, result, created))
        if has_next:
            kind, subject = rng.choice(subjects[flow.subject_level[seq[-1]]])
            ahead, lead = rng.random(), rng.random()
            if overdue:
                due = max(self.now - (0.3 + ahead * 7.7) * DAY, times[0] + 1800.0)
            else:
                due = snap_forward(self.now + (0.02 + ahead * 10.0) * DAY, trng.random() * HOUR)
            created = max(times[0], min(due, self.now) - lead * 3 * DAY)
            created = min(created, self.now)
            d.acts.append((kind, subject, due, False, None, "", created))
        for _ in range(n_notes):
            seg = rng.randrange(n_seg)
            frac = rng.random()
            body = rng.choice(W.NOTES[lang])
            start = times[seg]
            stop = times[seg + 1] if seg + 1 < len(times) else self.now
            d.notes.append((body, min(start + frac * (stop - start), bound)))
        if d.forgotten:
            # touched in its first two days in the stage, then left: no next step either
            cutoff = min(times[-1] + 2 * DAY, self.now - 31 * DAY)
            d.acts = [
                (kind, subject, min(t, cutoff), True, min(done, cutoff), result, min(c, cutoff))
                for kind, subject, t, is_done, done, result, c in d.acts
                if is_done
            ]
            d.notes = [(body, min(at, cutoff)) for body, at in d.notes]
        # Denormalised next step and last activity (as refresh_deal_activity computes them).
        open_dues = [x[2] for x in d.acts if not x[3]]
        d.next_step_at = min(open_dues) if open_dues else None
        stamps = [x[4] for x in d.acts if x[4] is not None]
        stamps += [x[6] for x in d.acts] + [n[1] for n in d.notes]
        d.last_activity_at = max(stamps) if stamps else None

    # ------------------------------------------------------------ writing

    def bulk(self, model, objs, name=None):
        if not objs:
            return objs
        t0 = time.monotonic()
        model.objects.bulk_create(objs, batch_size=self.o.batch_size)
        key = name or model._meta.model_name
        self.result.timings[key] = self.result.timings.get(key, 0.0) + time.monotonic() - t0
        self.result.counts[key] = self.result.counts.get(key, 0) + len(objs)
        return objs

    def history_rows(self, model, rows):
        """rows: (object, when, user_id, '+'/'~', overrides dict or None)."""
        if not self.o.history or not rows:
            return
        hmodel = model.history.model
        names = [f.attname for f in hmodel.tracked_fields]
        out = []
        for obj, when, user_id, kind, overrides in rows:
            values = {n: getattr(obj, n) for n in names}
            if overrides:
                values.update(overrides)
            out.append(
                self.new(
                    hmodel,
                    history_date=when,
                    history_user_id=user_id,
                    history_type=kind,
                    history_change_reason=None,
                    **values,
                )
            )
        self.bulk(hmodel, out, name=f"history:{model._meta.model_name}")

    def user_id(self, owner):
        if owner is None:
            return None
        if owner == "head":
            return self.head.pk
        return self.reps[owner].pk

    def write_sales_plans(self, plans: list[DealPlan]):
        """Monthly plans of each rep and of the team, from the history's first month to two
        months ahead, set as a head of sales sets them: on the 25th of the month before
        (the months ahead: yesterday), at the rep's mean won revenue of the three months
        before that (what was known then; for the months ahead, the current month's
        basis) plus 10%, rounded to 50,000, and a number of deals of that over the mean
        won deal. Until three months after the history's first quarter (its pipeline
        filling up) are known: the rep's share of the year's mean month. The team's plan
        is the sum of its reps' plus the head's own deals, rounded to 100,000. In the
        second month of each quarter one rep's plan is revised in its first week, so the
        grid's history shows changes. Plans that exist already are left as they are. Its
        own random generator: the deals are the same as without plans."""
        team = self.head.team
        won_deals = [d for d in plans if d.seq[-1] == WON and d.owner is not None]
        if team is None or not won_deals:
            return
        rng = random.Random(self.o.seed * 7919 + 29)

        def month_of(ts: float) -> int:
            day = as_date(ts)
            return day.year * 12 + day.month - 1

        m0 = min(month_of(d.times[0]) for d in plans)
        m_now = month_of(self.now)
        won: dict[object, dict[int, float]] = {}
        for d in won_deals:
            by_month = won.setdefault(d.owner, {})
            m = month_of(d.times[-1])
            by_month[m] = by_month.get(m, 0.0) + float(d.amount)
        mean_month = sum(float(d.amount) for d in won_deals) / max(m_now - m0, 1)
        mean_deal = sum(float(d.amount) for d in won_deals) / len(won_deals)

        def known(owner, m: int) -> float | None:
            """Mean won per month over months m - 4 .. m - 2 (the plan of m is set on the
            25th of m - 1), once all three are past the history's first quarter."""
            if m - 4 < m0 + 3:
                return None
            return sum(won.get(owner, {}).get(k, 0.0) for k in range(m - 4, m - 1)) / 3

        def rounded(value: float, step: int) -> Decimal:
            return Decimal(max(step, round(value / step) * step))

        tz = timezone.get_default_timezone()
        existing = set(SalesPlan.objects.filter(team=team).values_list("user_id", "period"))
        count = 0

        def add(period: Period, user, amount: Decimal, at: datetime, deals=None) -> SalesPlan:
            nonlocal count
            plan = SalesPlan(
                team=team,
                user=user,
                period=period.key,
                kind=PeriodKind.MONTH,
                year=period.year,
                amount=amount,
                currency="RUB",
                deals=deals,
            )
            self.save_plan(plan, at)
            count += 1
            return plan

        for m in range(m0, m_now + 3):
            year, month0 = divmod(m, 12)
            period = Period("month", year, month0 + 1)
            before = add_months(period.start, -1)
            set_at = datetime(before.year, before.month, 25, 10, tzinfo=tz)
            if set_at.timestamp() > self.now:  # the months ahead are planned already
                day = as_date(self.now - DAY)
                set_at = datetime(day.year, day.month, day.day, 10, tzinfo=tz)
            basis = min(m, m_now)  # what is known before the current month
            revise = rng.randrange(6) if month0 % 3 == 1 else None
            reps_sum = Decimal(0)
            for i, rep in enumerate(self.reps):
                base = known(i, basis)
                if base is None:
                    base = mean_month * REP_WEIGHT[i] / sum(REP_WEIGHT)
                amount = rounded(base * 1.1, 50_000)
                reps_sum += amount
                if (rep.pk, period.key) in existing:
                    continue
                deals = max(1, round(float(amount) / mean_deal))
                plan = add(period, rep, amount, set_at, deals)
                if i != revise:
                    continue
                revised_at = datetime(year, month0 + 1, 1 + rng.randrange(7), 11, tzinfo=tz)
                if revised_at.timestamp() < self.now:
                    plan.amount = rounded(float(amount) * rng.choice([0.85, 0.9, 1.15]), 50_000)
                    self.save_plan(plan, revised_at)
            if (None, period.key) not in existing:
                head = 1.1 * (known("head", basis) or 0.0)
                add(period, None, rounded(float(reps_sum) + head, 100_000), set_at)
        self.result.counts["sales_plans"] = count

    def save_plan(self, plan, at: datetime):
        """Saves with the history row dated ``at``, by the head of sales."""
        plan._history_user = self.head
        plan._history_date = at
        plan.save()

    def write_companies(self, companies: list[CompanyPlan]):
        objs = []
        for c in companies:
            first = (
                c.first_ts if c.first_ts is not None else self.now - self.rng.random() * 400 * DAY
            )
            created = first - self.rng.random() * 20 * DAY
            c.first_ts = created
            lifecycle = "potential"
            if c.last_won_ts is not None:
                lifecycle = "current" if self.now - c.last_won_ts < 180 * DAY else "former"
            c.obj = self.new(
                Company,
                name=c.name,
                legal_name=c.legal,
                inn=c.inn,
                kpp=c.kpp,
                ogrn=c.ogrn,
                website=c.website,
                address=c.address,
                lifecycle=lifecycle,
                source=c.source,
                owner_id=self.user_id(c.owner),
                created_at=as_dt(created),
            )
            objs.append(c.obj)
        self.bulk(Company, objs)
        self.history_rows(
            Company, [(c.obj, c.obj.created_at, c.obj.owner_id, "+", None) for c in companies]
        )
        phones, emails = [], []
        for c in companies:
            raw, e164, ext = c.phone
            phones.append(
                self.new(PhoneNumber, company_id=c.obj.pk, raw=raw, e164=e164, extension=ext)
            )
            if c.email:
                emails.append(
                    self.new(EmailAddress, company_id=c.obj.pk, email=c.email, normalized=c.email)
                )
        self.bulk(PhoneNumber, phones)
        self.bulk(EmailAddress, emails)

    def write_contacts(self, contacts: list[ContactPlan]):
        objs = []
        for p in contacts:
            if p.first_ts is None:
                base = p.company.first_ts if p.company is not None else None
                p.first_ts = (base if base is not None else self.now - 200 * DAY) + (
                    self.rng.random() * 30 * DAY
                )
                p.first_ts = min(p.first_ts, self.now - HOUR)
            created = p.first_ts - self.rng.random() * 2 * DAY
            if p.company is not None and p.company.first_ts is not None:
                created = max(created, p.company.first_ts)
            lifecycle = "potential"
            if p.last_won_ts is not None:
                lifecycle = "current" if self.now - p.last_won_ts < 180 * DAY else "former"
            p.obj = self.new(
                Contact,
                name=p.name,
                position=p.position,
                company_id=p.company.obj.pk if p.company is not None else None,
                lifecycle=lifecycle,
                source=p.source,
                owner_id=self.user_id(p.owner),
                created_at=as_dt(min(created, p.first_ts)),
            )
            objs.append(p.obj)
        self.bulk(Contact, objs)
        self.history_rows(
            Contact, [(p.obj, p.obj.created_at, p.obj.owner_id, "+", None) for p in contacts]
        )
        phones, emails = [], []
        for p in contacts:
            for pos, (raw, e164, ext) in enumerate(p.phones):
                phones.append(
                    self.new(
                        PhoneNumber,
                        contact_id=p.obj.pk,
                        raw=raw,
                        e164=e164,
                        extension=ext,
                        position=pos,
                    )
                )
            for pos, e in enumerate(p.emails):
                emails.append(
                    self.new(
                        EmailAddress,
                        contact_id=p.obj.pk,
                        email=e,
                        normalized=e.strip().lower(),
                        position=pos,
                    )
                )
        self.bulk(PhoneNumber, phones)
        self.bulk(EmailAddress, emails)

    def stage_of(self, flow: Flow, s: int) -> Stage:
        if s == WON:
            return flow.won
        if s == LOST:
            return flow.lost
        return flow.open_stages[s]

    def write_deals(self, plans: list[DealPlan]):
        lang = self.lang
        override_text = W.OVERRIDE_REASONS[lang]
        empty_final = {
            "closed_at": None,
            "lost_reason_id": None,
            "lost_note": "",
            "decision_date": None,
            "contract_planned": None,
            "contract_actual": None,
            "invoice_planned": None,
            "invoice_actual": None,
            "payment_planned": None,
            "payment_actual": None,
            "probability_manual": None,
        }
        bs = self.o.batch_size
        contact_link = Deal.contacts.through
        tag_link = Deal.tags.through
        for b in range(0, len(plans), bs):
            batch = plans[b : b + bs]
            deals = []
            for d in batch:
                flow = d.flow
                stage = self.stage_of(flow, d.seq[-1])
                closed = not d.is_open
                obj = self.new(
                    Deal,
                    title=d.title,
                    amount=d.amount,
                    currency="RUB",
                    pipeline_id=flow.pipeline.pk,
                    stage_id=stage.pk,
                    owner_id=self.user_id(d.owner),
                    company_id=d.company.obj.pk if d.company is not None else None,
                    source=d.source,
                    probability_manual=d.manual_prob,
                    lost_reason_id=d.lost_reason.pk if d.lost_reason is not None else None,
                    lost_note=d.lost_note,
                    stage_entered_at=as_dt(d.times[-1]),
                    closed_at=as_dt(d.times[-1]) if closed else None,
                    next_step_at=as_dt(d.next_step_at) if d.next_step_at is not None else None,
                    last_activity_at=(
                        as_dt(d.last_activity_at) if d.last_activity_at is not None else None
                    ),
                    created_at=as_dt(d.times[0]),
                    version=len(d.seq),
                    search_text=build_search_text(
                        d.title,
                        d.company.obj.name if d.company is not None else "",
                        [c.obj.name for c in d.contacts],
                    ),
                    **d.fields,
                )
                d.obj = obj
                deals.append(obj)
            self.bulk(Deal, deals)

            changes, acts, notes, answers, links, tags, hist = [], [], [], [], [], [], []
            head_id = self.head.pk
            for d in batch:
                obj, flow = d.obj, d.flow
                uid = obj.owner_id
                prev = None
                for pos, s in enumerate(d.seq):
                    stage_id = self.stage_of(flow, s).pk
                    over = pos in d.overrides
                    gate = flow.gated.get(d.seq[pos - 1]) if over else None
                    changes.append(
                        self.new(
                            StageChange,
                            deal_id=obj.pk,
                            from_stage_id=prev,
                            to_stage_id=stage_id,
                            changed_at=as_dt(d.times[pos]),
                            changed_by_id=head_id if over else uid,
                            override_reason=override_text if over else "",
                            missed_criteria=[f"{gate.kind}:{gate.pk}"] if gate else [],
                        )
                    )
                    prev = stage_id
                for kind, subject, due, done, done_at, result, created in d.acts:
                    contact_id = d.contacts[0].obj.pk if d.contacts else None
                    acts.append(
                        self.new(
                            Activity,
                            kind=kind,
                            subject=subject,
                            due_at=as_dt(due),
                            done=done,
                            done_at=as_dt(done_at) if done_at is not None else None,
                            result=result,
                            deal_id=obj.pk,
                            contact_id=contact_id,
                            owner_id=uid,
                            created_at=as_dt(created),
                        )
                    )
                for body, at in d.notes:
                    notes.append(
                        self.new(
                            Note, body=body, deal_id=obj.pk, author_id=uid, created_at=as_dt(at)
                        )
                    )
                for crit, ans, at in d.answers:
                    answers.append(
                        self.new(
                            DealAnswer,
                            deal_id=obj.pk,
                            criterion_id=crit.pk,
                            answer=ans,
                            answered_by_id=uid,
                            answered_at=as_dt(at),
                        )
                    )
                for c in d.contacts:
                    links.append(self.new(contact_link, deal_id=obj.pk, contact_id=c.obj.pk))
                if d.tag is not None:
                    tags.append(self.new(tag_link, deal_id=obj.pk, tag_id=d.tag.pk))
                first = self.stage_of(flow, d.seq[0])
                hist.append((obj, obj.created_at, uid, "+", {**empty_final, "stage_id": first.pk}))
                if len(d.seq) > 1:
                    hist.append((obj, as_dt(d.times[-1]), uid, "~", None))
            self.bulk(StageChange, changes)
            self.bulk(Activity, acts)
            self.bulk(Note, notes)
            self.bulk(DealAnswer, answers)
            self.bulk(contact_link, links, name="deal_contacts")
            self.bulk(tag_link, tags, name="deal_tags")
            self.history_rows(Deal, hist)
            for d in batch:
                d.obj = d.obj.pk  # let the batch's objects go

    # ------------------------------------------------------------ the whole run

    def run(self) -> DemoResult:
        started = time.monotonic()
        o = self.o
        rng = self.rng
        self.ensure_people()
        self.ensure_lost_reasons()
        self.ensure_tags()
        default_flow = self.make_flow(ensure_default_pipeline(), repeat=False)
        repeat_flow = self.make_flow(self.ensure_repeat_pipeline(), repeat=True)

        n = max(0, o.deals)
        n_companies = max(30, n // 3)
        companies = self.plan_companies(n_companies)
        contacts: list[ContactPlan] = []
        for c in companies:
            k = 1 + (rng.random() < 0.4) + (rng.random() < 0.1)
            for _ in range(k):
                contacts.append(self.new_contact(c, c.owner))
        n_open = round(n * min(max(o.open_share, 0.0), 1.0))
        open_set = set(rng.sample(range(n), n_open)) if n else set()
        plans: list[DealPlan] = []
        for i in range(n):
            repeat = rng.random() < 0.15
            flow = repeat_flow if repeat else default_flow
            company = rng.choice(companies) if (repeat or rng.random() < 0.9) else None
            if rng.random() < 0.02:
                owner = "head"
            elif company is not None and rng.random() < 0.85:
                owner = company.owner
            else:
                owner = rng.choices(range(6), weights=REP_WEIGHT, k=1)[0]
            d = self.plan_deal(flow, company, owner, i in open_set, repeat)
            company = d.company
            if company is not None and company.contacts:
                k = 2 if (len(company.contacts) > 1 and rng.random() < 0.2) else 1
                d.contacts = rng.sample(company.contacts, k)
            else:
                person = self.new_contact(None, d.owner)
                contacts.append(person)
                d.contacts = [person]
                if d.owner is not None:
                    d.title = f"{d.title} — {person.name}"
            won_ts = d.times[-1] if d.seq[-1] == WON else None
            for rec in [company, *d.contacts]:
                if rec is None:
                    continue
                if rec.first_ts is None or d.times[0] < rec.first_ts:
                    rec.first_ts = d.times[0]
                if won_ts is not None and (rec.last_won_ts is None or won_ts > rec.last_won_ts):
                    rec.last_won_ts = won_ts
            plans.append(d)
        dups = self.plant_duplicates(contacts, max(6, len(contacts) // 200))
        for dup in dups:
            orig = dup.obj
            base = orig.first_ts if orig.first_ts is not None else self.now - 100 * DAY
            dup.first_ts = min(base + (10 + rng.random() * 190) * DAY, self.now - DAY)
            dup.obj = None
        self.result.counts["planted_duplicate_contacts"] = len(dups)

        self.result.timings["planning"] = time.monotonic() - started
        with transaction.atomic():
            self.write_companies(companies)
            self.write_contacts(contacts + dups)
            self.write_deals(plans)
            self.write_sales_plans(plans)
        self.result.seconds = time.monotonic() - started
        return self.result


def seed_demo(opts: DemoOptions, log: Callable[[str], None] = print) -> DemoResult:
    # Millions of short-lived rows: the cyclic collector and per-query logging (DEBUG)
    # would otherwise cost more than the inserts themselves.
    debug = settings.DEBUG
    gc_was_enabled = gc.isenabled()
    settings.DEBUG = False
    gc.disable()
    try:
        return DemoBuilder(opts, log).run()
    finally:
        settings.DEBUG = debug
        if gc_was_enabled:
            gc.enable()

"""Seeded generator of Russian and Latin contacts with duplicates and ground truth.

Each person ("entity") is written down one or more times, the way CRM data really drifts:
name order swapped, patronymic dropped or reduced to initials, diminutives (Саша for
Александр), transliteration to Latin under several schemes (passport, BGN, typed by
ear, cyrtranslit) or a foreign name written in Cyrillic, typos, upper case, ё/е; phones
typed as +7 / 8 / bare ten digits with brackets, dashes and extensions, replaced by a new
number or missing; e-mails changed to another provider, replaced or missing; company name
with or without legal form and quotes. Hard negatives are built in: spouses sharing a home
phone, colleagues sharing an office switchboard and the company's info@ address, and
namesakes (names follow a skewed, Zipf-like frequency).

    python bench/dedupe/generate.py 100000 > contacts.csv

Columns: id, cluster, name, phones (";"-separated), emails, company.
"""

import csv
import random
import re
import sys

import cyrtranslit

MALE = (
    "Александр Саша Шура|Алексей Лёша Алёша|Андрей Андрюша|Антон Тоша|Артём Тёма|Борис Боря|"
    "Вадим Вадик|Валерий Валера|Василий Вася|Виктор Витя|Виталий Виталик|Владимир Вова Володя|"
    "Владислав Влад|Вячеслав Слава|Геннадий Гена|Георгий Жора|Григорий Гриша|Даниил Даня|"
    "Денис|Дмитрий Дима Митя|Евгений Женя|Егор|Иван Ваня|Игорь|Илья Илюша|Кирилл|"
    "Константин Костя|Леонид Лёня|Максим Макс|Михаил Миша|Никита|Николай Коля|Олег|"
    "Павел Паша|Пётр Петя|Роман Рома|Руслан|Сергей Серёжа|Станислав Стас|Степан Стёпа|"
    "Тимофей Тима|Фёдор Федя|Юрий Юра|Ярослав|Семён Сёма|Эдуард Эдик|Арсений|Глеб|Марк|"
    "Матвей|Лев Лёва|Тимур|Ринат|Ильдар|Рустам|Эльдар|Богдан|Всеволод Сева|Захар|Савелий"
)
FEMALE = (
    "Александра Саша|Анастасия Настя|Анна Аня|Валентина Валя|Валерия Лера|Вера|Вероника Ника|"
    "Виктория Вика|Галина Галя|Дарья Даша|Диана|Евгения Женя|Екатерина Катя|Елена Лена|"
    "Елизавета Лиза|Зоя|Ирина Ира|Карина|Кристина|Ксения Ксюша|Лариса|Любовь Люба|"
    "Людмила Люда|Маргарита Рита|Марина|Мария Маша|Надежда Надя|Наталья Наташа|Нина|"
    "Оксана|Ольга Оля|Полина|Светлана Света|София Соня|Тамара|Татьяна Таня|Юлия Юля|Яна|"
    "Алёна|Эльвира|Ульяна|Алина|Алла|Милана|Варвара Варя|Таисия Тая|Жанна|Регина|Василиса"
)
ROOTS = (
    "Иван Смирн Кузнец Попов Васил Петр Соколов Михайл Новик Фёдор Морозов Волков Алексе "
    "Лебедев Семён Егор Павлов Козлов Степан Николаев Орлов Андре Макар Никит Захар Зайцев "
    "Солов Борис Яковлев Григор Роман Воробьёв Серге Кузьмин Фрол Александр Дмитри Корол "
    "Гусев Киселёв Ильин Максим Поляков Сорокин Виноград Ковал Белов Медвед Антонов Тарас "
    "Жуков Баранов Филипп Комаров Давыд Беляев Герасим Богдан Осип Сидор Матвеев Титов Марк "
    "Миронов Крылов Куликов Карпов Власов Мельник Денис Гаврил Тихонов Казаков Афанас "
    "Данилов Савельев Тимофе Фомин Чернов Абрамов Мартын Ефимов Федотов Щербаков Назаров "
    "Калинин Исаев Чернышёв Быков Маслов Родионов Коновал Лазарев Воронин Климов Филатов "
    "Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов "
    "Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов "
    "Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов "
    "Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов "
    "Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов Софронов Мальцев "
    "Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Дёмин "
    "Хохлов Хохряков Шубин Шилов Шестаков Щукин Юсупов Ахметов Хабибуллин Гарипов Зуев Жданов"
).split()
SUFFIX_M = ["ов", "ев", "ин", "ский", "цкий", "енко", "ук", "ян"]
LATIN_FIRST_M = (
    "John James Robert Michael William David Richard Thomas Mark Paul Peter George "
    "Daniel Lukas Hans Pierre Marco Luca Jan Piotr Ahmed Omar Ali Kenji"
).split()
LATIN_FIRST_F = (
    "Mary Patricia Jennifer Linda Elizabeth Susan Jessica Sarah Karen Emma Olivia "
    "Sophie Anna Maria Laura Claire Julia Eva Marta Yuki Fatima Aisha"
).split()
LATIN_SUR = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Martin Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green "
    "Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner "
    "Muller Schmidt Schneider Fischer Weber Becker Dubois Durand Leroy Rossi Russo "
    "Ferrari Esposito Bianchi Kowalski Nowak Wisniewski Tanaka Suzuki Hassan Yilmaz "
    "Novak Horvat Jensen Nielsen Hansen Larsen Andersson Johansson Garcia Martinez "
    "Lopez Gonzalez Rodriguez Fernandez Silva Santos Costa Oliveira Pereira"
).split()
COMPANY_WORDS = (
    "Ромашка Вектор Альфа Гранит Прогресс Восток Север Сибирь Урал Волга Техно "
    "Строй Торг Инвест Капитал Лидер Профи Стандарт Мега Лайн Сервис Логистик "
    "Трейд Групп Софт Систем Пром Агро Мед Фарм Энерго Нефть Газ Металл Транс "
    "Авто Форт Орион Атлант Меридиан Горизонт Элемент Квант Импульс Спектр "
    "Азимут Полюс Зенит Олимп Альянс Континент Регион Стрела Сфера"
).split()
LEGAL = ["ООО", "АО", "ПАО", "ИП", "ЗАО", "", "", "LLC"]
PUBLIC = [
    "gmail.com",
    "yandex.ru",
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "rambler.ru",
    "outlook.com",
    "icloud.com",
    "ya.ru",
]
CODES = ["495", "499", "812", "343", "383", "846", "863", "831", "843", "861"]


def _zipf_pick(rng, items, s=1.1):
    # index ~ Zipf-like over the list, precomputed cumulative weights per list
    key = id(items)
    cum = _ZCACHE.get(key)
    if cum is None:
        w = [1.0 / (i + 1) ** s for i in range(len(items))]
        tot = sum(w)
        acc, cum = 0.0, []
        for x in w:
            acc += x / tot
            cum.append(acc)
        _ZCACHE[key] = cum
    r = rng.random()
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < r:
            lo = mid + 1
        else:
            hi = mid
    return items[lo]


_ZCACHE: dict = {}

# --- transliteration schemes ------------------------------------------------------------
_BASE = dict(zip("абвгдезиклмнопрстуфы", "abvgdeziklmnoprstufy", strict=True))
_SCHEMES = {
    "passport": {**_BASE, "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch",
                 "ш": "sh", "щ": "shch", "ъ": "ie", "ь": "", "э": "e", "ю": "iu", "я": "ia"},
    "bgn": {**_BASE, "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
            "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya"},
    "ear": {**_BASE, "ё": "e", "ж": "j", "й": "y", "х": "h", "ц": "c", "ч": "ch", "ш": "sh",
            "щ": "sch", "ъ": "", "ь": "'", "э": "e", "ю": "ju", "я": "ja", "ы": "i"},
    "german": {**_BASE, "ё": "jo", "ж": "sch", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
               "ш": "sch", "щ": "schtsch", "ъ": "", "ь": "", "э": "e", "ю": "ju", "я": "ja",
               "в": "w", "з": "s"},
}  # fmt: skip


def translit(text: str, scheme: str) -> str:
    if scheme == "cyrtranslit":
        return cyrtranslit.to_latin(text, "ru")
    table = _SCHEMES[scheme]
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            t = table[low]
            out.append(t.capitalize() if ch != low and t else t)
        else:
            out.append(ch)
    s = "".join(out)
    if scheme == "bgn":
        s = s.replace("iy ", "y ").replace("iy", "y") if s.endswith("iy") else s
    return s


def latin_email_part(text: str) -> str:
    return "".join(c for c in translit(text, "bgn").lower() if c.isalnum())


# --- corruption -------------------------------------------------------------------------
_KEYB_RU = "йцукенгшщзхфывапролджэячсмитьбю"
_KEYB_EN = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    alphabet = _KEYB_RU if any("а" <= c <= "я" for c in word.lower()) else _KEYB_EN
    if kind < 0.3:
        return word[:i] + word[i + 1 :]
    if kind < 0.55:
        return word[:i] + rng.choice(alphabet) + word[i:]
    if kind < 0.8:
        return word[:i] + rng.choice(alphabet) + word[i + 1 :]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def fmt_phone(rng, e164: str, ext: str = "") -> str:
    d = e164[2:]  # ten digits after +7
    style = rng.randrange(7)
    if style == 0:
        s = f"+7 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
    elif style == 1:
        s = f"8 {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}"
    elif style == 2:
        s = d
    elif style == 3:
        s = "8" + d
    elif style == 4:
        s = f"8({d[:3]}){d[3:]}"
    elif style == 5:
        s = f"+7{d}"
    else:
        s = f"+7-{d[:3]}-{d[3:6]}-{d[6:]}"
    if ext:
        s += rng.choice([f" доб. {ext}", f" ext {ext}", f" (доб.{ext})", f", {ext}"])
    return s


def new_mobile(rng) -> str:
    return "+79" + "".join(str(rng.randrange(10)) for _ in range(9))


class Generator:
    def __init__(self, seed: int = 42):
        self.rng = random.Random(seed)
        rng = self.rng
        self.male = [g.split() for g in MALE.split("|")]
        self.female = [g.split() for g in FEMALE.split("|")]
        rng.shuffle(self.male)
        rng.shuffle(self.female)
        surnames = []
        for root in ROOTS:
            if root.endswith(("ов", "ев", "ин", "ёв")):
                surnames.append(root)
            else:
                surnames.append(root + rng.choice(SUFFIX_M[:4]))
        for root in ROOTS:
            for suf in rng.sample(SUFFIX_M, 3):
                base = root[:-2] if root.endswith(("ов", "ев", "ин", "ёв")) else root
                surnames.append(base + suf)
        self.surnames = list(dict.fromkeys(surnames))
        rng.shuffle(self.surnames)
        self.companies = []
        self.used_emails = set()

    def _company(self):
        rng = self.rng
        if self.companies and rng.random() < 0.9:
            return rng.choice(self.companies)
        words = rng.sample(COMPANY_WORDS, rng.choice([1, 1, 2]))
        name = "".join(words) if rng.random() < 0.5 else " ".join(words)
        num = rng.random()
        if num < 0.3:
            name += f"-{rng.randrange(1, 99)}"
        domain = latin_email_part(name.replace(" ", "")).replace("-", "") + rng.choice(
            [".ru", ".com", ".рф", "-group.ru"]
        )
        if domain.endswith(".рф"):
            domain = name.lower().replace(" ", "") + ".рф"
        co = {
            "name": name,
            "legal": rng.choice(LEGAL),
            "domain": domain,
            "board": f"+7{rng.choice(CODES)}" + "".join(str(rng.randrange(10)) for _ in range(7)),
        }
        self.companies.append(co)
        return co

    def entity(self, surname=None, gender=None):
        rng = self.rng
        latin = rng.random() < 0.12
        gender = gender or rng.choice([1, 2])
        if latin:
            given = [_zipf_pick(rng, LATIN_FIRST_M if gender == 1 else LATIN_FIRST_F, 0.8)]
            sur = surname or _zipf_pick(rng, LATIN_SUR, 0.8)
            patr = ""
        else:
            given = _zipf_pick(rng, self.male if gender == 1 else self.female, 0.9)
            sur = surname or _zipf_pick(rng, self.surnames, 0.5)
            father = _zipf_pick(rng, self.male, 0.9)[0]
            patr = _patronymic(father, gender)
        if not latin and gender == 2:
            sur = _feminine(sur)
        co = self._company() if rng.random() < 0.7 else None
        phones = [new_mobile(rng)] if rng.random() < 0.92 else []
        if rng.random() < 0.1:
            phones.append(new_mobile(rng))
        emails = []
        r = rng.random()
        g_lat, s_lat = latin_email_part(given[0]), latin_email_part(sur)
        if r < 0.45:
            sep = rng.choice([".", "", "_", "-"])
            local = rng.choice([g_lat + sep + s_lat, g_lat[0] + sep + s_lat, s_lat + sep + g_lat])
            if rng.random() < 0.3:
                local += str(rng.randrange(1, 99))
            emails.append(f"{local}@{rng.choice(PUBLIC)}")
        elif r < 0.7 and co:
            emails.append(f"{g_lat[0]}.{s_lat}@{co['domain']}")
        elif r < 0.85:
            nick = rng.choice(["sun", "cat", "best", "super", "moto", "zver", "lisa", "pro"])
            emails.append(f"{nick}{g_lat[:3]}{rng.randrange(100, 99999)}@{rng.choice(PUBLIC)}")
        for k, m in enumerate(emails):
            # a personal mailbox belongs to one person: namesakes get another address
            while re.sub(r"[._-]", "", m) in self.used_emails:
                local, _, dom = m.partition("@")
                m = f"{local}{rng.randrange(1, 999)}@{dom}"
            self.used_emails.add(re.sub(r"[._-]", "", m))
            emails[k] = m
        return {
            "latin": latin, "gender": gender, "given": given, "surname": sur, "patr": patr,
            "company": co, "phones": phones, "emails": emails,
            "ext": str(rng.randrange(100, 999)) if co and rng.random() < 0.5 else "",
        }  # fmt: skip

    def render(self, e, dup: bool):
        rng = self.rng
        given = e["given"][0]
        if dup and len(e["given"]) > 1 and rng.random() < 0.25:
            given = rng.choice(e["given"][1:])
        sur = e["surname"]
        patr = e["patr"]
        if dup and rng.random() < 0.25:
            if rng.random() < 0.6:
                sur = typo(rng, sur)
            else:
                given = typo(rng, given)
        if dup and rng.random() < 0.05:
            sur, given = typo(rng, sur), typo(rng, given)
        layout = rng.random()
        if e["latin"] or rng.random() < 0.3:
            name = f"{given} {sur}" if layout < 0.8 else f"{sur} {given}"
        elif patr and layout < 0.35:
            name = f"{sur} {given} {patr}"
        elif patr and layout < 0.45:
            name = f"{sur} {given[0]}.{patr[0]}."
        elif layout < 0.75:
            name = f"{sur} {given}"
        elif layout < 0.97:
            name = f"{given} {sur}"
        else:
            name = given if rng.random() < 0.5 else sur
        if not e["latin"] and dup and rng.random() < 0.18:
            name = translit(name, rng.choice(["passport", "bgn", "ear", "german", "cyrtranslit"]))
        elif e["latin"] and dup and rng.random() < 0.15:
            name = cyrtranslit.to_cyrillic(name, "ru")
        r = rng.random()
        if r < 0.05:
            name = name.upper()
        elif r < 0.1:
            name = name.lower()
        name = name.replace("ё", "е") if rng.random() < 0.5 else name

        phones = []
        co = e["company"]
        for p in e["phones"]:
            q = rng.random()
            if dup and q < 0.12:
                continue  # missing
            if dup and q < 0.2:
                p = new_mobile(rng)  # a new number
            elif dup and q < 0.23:
                i = rng.randrange(3, 12)
                p = p[:i] + str(rng.randrange(10)) + p[i + 1 :]  # typo
            phones.append(fmt_phone(rng, p))
        if co and rng.random() < 0.35:
            phones.append(fmt_phone(rng, co["board"], e["ext"]))
        emails = []
        for m in e["emails"]:
            q = rng.random()
            if dup and q < 0.15:
                continue
            if dup and q < 0.25:
                local = m.split("@")[0]
                m = f"{local}@{rng.choice(PUBLIC)}"
            elif dup and q < 0.3:
                m = m.upper() if rng.random() < 0.5 else " " + m + " "
            emails.append(m)
        if co and rng.random() < 0.1:
            emails.append(f"info@{co['domain']}")
        company = ""
        if co and (not dup or rng.random() < 0.7):
            company = co["name"]
            q = rng.random()
            if co["legal"] and q < 0.6:
                quoted = rng.choice([f"«{company}»", f'"{company}"', company])
                company = f"{co['legal']} {quoted}" if co["legal"] != "LLC" else f"{company} LLC"
            elif q < 0.7:
                company = company.upper()
        return name, phones, emails, company


def _feminine(sur: str) -> str:
    if sur.endswith(("ов", "ев", "ин", "ёв")):
        return sur + "а"
    if sur.endswith("ский"):
        return sur[:-2] + "ая"
    if sur.endswith("цкий"):
        return sur[:-2] + "ая"
    return sur


def _patronymic(father: str, gender: int) -> str:
    if father.endswith("й"):
        stem, m, f = father[:-1], "евич", "евна"
    elif father.endswith("ь"):
        stem, m, f = father[:-1], "евич", "евна"
    elif father.endswith(("а", "я")):
        stem, m, f = father[:-1], "ич", "ична"
    else:
        stem, m, f = father, "ович", "овна"
    return stem + (m if gender == 1 else f)


def generate(n: int, seed: int = 42):
    """Yield (id, cluster, name, phones, emails, company) for about ``n`` records."""
    g = Generator(seed)
    rng = g.rng
    rid = 0
    cluster = 0
    while rid < n:
        e = g.entity()
        extra = 0
        r = rng.random()
        if r < 0.25:
            extra = 1
        elif r < 0.31:
            extra = 2
        elif r < 0.33:
            extra = rng.randrange(3, 6)
        group = [e]
        if rng.random() < 0.04 and not e["latin"] and e["phones"]:
            # spouse: another person, same surname, same home phone
            sp = g.entity(surname=e["surname"].rstrip("а"), gender=3 - e["gender"])
            sp["phones"] = [e["phones"][0]] + sp["phones"][1:]
            sp["latin"] = False
            group.append(sp)
        for k, ent in enumerate(group):
            copies = 1 + (extra if k == 0 else (1 if rng.random() < 0.3 else 0))
            for c in range(copies):
                if rid >= n:
                    return
                name, phones, emails, company = g.render(ent, dup=c > 0)
                yield rid, cluster, name, ";".join(phones), ";".join(emails), company
                rid += 1
            cluster += 1


def write_csv(n: int, path: str, seed: int = 42) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "cluster", "name", "phones", "emails", "company"])
        for row in generate(n, seed):
            w.writerow(row)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    w = csv.writer(sys.stdout)
    w.writerow(["id", "cluster", "name", "phones", "emails", "company"])
    for row in generate(n, int(sys.argv[2]) if len(sys.argv) > 2 else 42):
        w.writerow(row)

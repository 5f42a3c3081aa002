"""Russian given names: full forms, diminutives and gender, keyed by their folded skeleton.

Саша, Sasha, Shura and Alexander all fold onto the skeleton of Александр, so "Саша
Петров" and "Aleksandr Petrov" compare as the same given name.
"""

from voronka.dedupe.matching.translit import fold

# canonical form: (gender, diminutives and other spellings)
_MALE = {
    "Александр": "Саша Саня Шура Алекс Alexander Alex Sasha Shura Санек Сашка",
    "Алексей": "Алёша Леша Лёша Алеша Лёха Леха Alex Alexis",
    "Анатолий": "Толя Толик",
    "Андрей": "Андрюша Андрюха Andrew",
    "Антон": "Антоша Тоша",
    "Аркадий": "Аркаша",
    "Артём": "Тёма Артемий Artem Artyom",
    "Борис": "Боря",
    "Вадим": "Вадик",
    "Валентин": "Валя",
    "Валерий": "Валера",
    "Василий": "Вася Basil",
    "Виктор": "Витя",
    "Виталий": "Виталик Витя",
    "Владимир": "Вова Володя Вовка Vladimir Wladimir",
    "Владислав": "Влад",
    "Вячеслав": "Слава",
    "Геннадий": "Гена",
    "Георгий": "Жора Гоша George",
    "Григорий": "Гриша Gregory",
    "Даниил": "Данила Даня Daniel",
    "Денис": "Дениска",
    "Дмитрий": "Дима Митя Dmitri",
    "Евгений": "Женя Eugene Evgeni",
    "Егор": "Егорка",
    "Иван": "Ваня Ванька John",
    "Игорь": "Игорёк",
    "Илья": "Илюша Elijah",
    "Кирилл": "Киря",
    "Константин": "Костя Konstantin Constantine",
    "Леонид": "Лёня Леня",
    "Максим": "Макс Max",
    "Михаил": "Миша Мишка Michael Mikhail",
    "Никита": "Никитка",
    "Николай": "Коля Nicholas Nikolai",
    "Олег": "Олежка",
    "Павел": "Паша Paul",
    "Пётр": "Петя Peter",
    "Роман": "Рома",
    "Руслан": "Русик",
    "Сергей": "Серёжа Сережа Серега Серёга Sergei",
    "Станислав": "Стас",
    "Степан": "Стёпа Stephen",
    "Тимофей": "Тима Тимоша",
    "Тимур": "Тима",
    "Фёдор": "Федя Theodore",
    "Юрий": "Юра Yuri George",
    "Ярослав": "Ярик",
    "Семён": "Сёма Сема",
    "Эдуард": "Эдик",
    "Арсений": "Арсен Сеня",
    "Глеб": "",
    "Марк": "",
    "Матвей": "Мотя",
    "Лев": "Лёва",
    "Всеволод": "Сева",
    "Захар": "",
    "Савелий": "Сава",
    "Богдан": "",
    "Ринат": "",
    "Ильдар": "",
    "Рустам": "",
    "Эльдар": "",
    "Марат": "",
    "Тагир": "",
    "Айдар": "",
    "Мирон": "",
    "Платон": "",
}  # fmt: skip
_FEMALE = {
    "Александра": "Саша Шура Sasha Alexandra",
    "Алина": "",
    "Алла": "",
    "Анастасия": "Настя Настёна Ася",
    "Ангелина": "Геля",
    "Анна": "Аня Анька Нюра Ann Anne Hannah",
    "Валентина": "Валя",
    "Валерия": "Лера",
    "Вера": "Верочка",
    "Вероника": "Ника",
    "Виктория": "Вика Victoria",
    "Галина": "Галя",
    "Дарья": "Даша Daria Darya",
    "Диана": "",
    "Евгения": "Женя Eugenia",
    "Екатерина": "Катя Катерина Катюша Kate Catherine Katherine",
    "Елена": "Лена Helen Elena Yelena",
    "Елизавета": "Лиза Elizabeth",
    "Зоя": "",
    "Ирина": "Ира Irene",
    "Карина": "",
    "Кристина": "Кристи Christina",
    "Ксения": "Ксюша Ксеня",
    "Лариса": "Лара",
    "Любовь": "Люба",
    "Людмила": "Люда Мила",
    "Маргарита": "Рита Margaret",
    "Марина": "",
    "Мария": "Маша Маня Mary Maria Marie",
    "Надежда": "Надя",
    "Наталья": "Наташа Наталия Natalie",
    "Нина": "",
    "Оксана": "",
    "Ольга": "Оля Olga",
    "Полина": "Поля",
    "Светлана": "Света Svetlana",
    "София": "Софья Соня Sophia Sofia Sophie",
    "Тамара": "Тома",
    "Татьяна": "Таня Tatiana",
    "Юлия": "Юля Julia Julie",
    "Яна": "",
    "Алёна": "",
    "Эльвира": "Эля",
    "Ульяна": "Уля",
    "Вита": "",
    "Варвара": "Варя",
    "Таисия": "Тая",
    "Милана": "",
    "Регина": "",
    "Жанна": "",
    "Инна": "",
    "Кира": "",
    "Арина": "",
    "Снежана": "",
    "Лилия": "Лиля",
    "Василиса": "",
    "Эмилия": "",
    "Камила": "",
    "Злата": "",
}  # fmt: skip

CANONICAL: dict[str, str] = {}  # folded spelling -> folded canonical given name
GENDER: dict[str, int] = {}  # folded canonical -> 1 male, 2 female
# Diminutives shared by a male and a female name (Саша, Женя, Валя) keep no gender.
_AMBIGUOUS: set[str] = set()
# folded canonical -> every folded spelling of it, ambiguous ones included
# (Александра: aleksandra, sasha, shura)
VARIANTS: dict[str, set[str]] = {}


def _add(table: dict[str, str], gender: int) -> None:
    for canonical, variants in table.items():
        key = fold(canonical)
        GENDER[key] = gender
        CANONICAL.setdefault(key, key)
        VARIANTS.setdefault(key, set()).add(key)
        for variant in variants.split():
            v = fold(variant)
            VARIANTS[key].add(v)
            if v in CANONICAL and CANONICAL[v] != key and v not in GENDER:
                _AMBIGUOUS.add(v)
                continue
            CANONICAL.setdefault(v, key)


_add(_MALE, 1)
_add(_FEMALE, 2)

KNOWN_GIVEN = frozenset(CANONICAL)


def canonical_given(folded: str) -> str:
    return CANONICAL.get(folded, folded)


def gender_of_given(folded: str) -> int:
    """1 male, 2 female, 0 unknown or shared by both (Саша, Женя)."""
    if folded in _AMBIGUOUS:
        return 0
    return GENDER.get(CANONICAL.get(folded, ""), 0)

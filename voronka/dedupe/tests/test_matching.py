"""Pure matching core: normalisation, keys, scores, scan, check on create. No database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.dedupe.matching import MATCH, REVIEW, CheckIndex, Record, make_keys, scan, score
from voronka.dedupe.matching.normalize import (
    company_norm,
    email_norm,
    inn_norm,
    phone_e164,
)
from voronka.dedupe.matching.translit import fold


@pytest.mark.parametrize(
    "raw",
    ["+7 (912) 345-67-89 доб. 123", "8 912 345 67 89", "9123456789", "+79123456789",
     "тел. 8(912)3456789", "8-912-345-67-89 ext 5"],
)  # fmt: skip
def test_russian_phone_formats_share_one_key(raw):
    assert phone_e164(raw) == "+79123456789"


@pytest.mark.parametrize("raw", ["8-912-ABC-67-89", "", "12", "x" * 5000, "+7 912 34", "доб. 12"])
def test_phone_that_is_not_a_phone_gives_no_key(raw):
    assert phone_e164(raw) == ""


def test_foreign_phone_goes_through_phonenumbers():
    assert phone_e164("+44 20 7946 0958") == "+442079460958"


def test_email_normalisation():
    assert email_norm(" Ivan.Petrov+crm@GoogleMail.com ") == "ivanpetrov@gmail.com"
    assert email_norm("Ivan.Petrov@ya.ru") == email_norm("ivan-petrov@yandex.ru")
    # dots matter outside gmail
    assert email_norm("ivan.petrov@mail.ru") != email_norm("ivanpetrov@mail.ru")
    # IDN domain: Unicode and punycode are the same address
    assert email_norm("user@xn--80a1acny.xn--p1ai") == email_norm("USER@почта.рф")
    assert email_norm("юзер@пример.рф") == "юзер@пример.рф"
    assert email_norm("not an address") == ""
    assert email_norm("a@b") == ""


def test_inn_check_digits():
    assert inn_norm("7707083893") == "7707083893"
    assert inn_norm("7707 083 893") == "7707083893"
    assert inn_norm("7707083894") == ""
    assert inn_norm("500100732259") == "500100732259"


def test_company_legal_forms_and_quotes():
    assert company_norm("ООО «Ромашка»") == company_norm("Romashka LLC") == "romashka"
    assert company_norm('Общество с ограниченной ответственностью "Вектор"') == "vektor"
    assert company_norm("ООО") == ""


@pytest.mark.parametrize(
    "variants",
    [["Юлия", "Yulia", "Julia", "Iuliia", "Yuliya"], ["Щукин", "Shchukin", "Schukin"],
     ["Хрущёв", "Khrushchev", "Hrushhyov"], ["Дмитрий", "Dmitriy", "Dmitry", "Dmitrii"],
     ["Фёдор", "Fyodor", "Fedor"], ["Смирнов", "Smirnoff"]],
)  # fmt: skip
def test_transliteration_variants_fold_together(variants):
    assert len({fold(v) for v in variants}) == 1


def test_person_name_parsing_order_patronymic_diminutive():
    a = make_keys(Record(name="Иванов Иван Иванович"))
    b = make_keys(Record(name="Ivan Ivanov"))
    assert (a.given, a.surname, a.middle) == ("ivan", "ivanov", "ivanovich")
    assert (b.given, b.surname) == ("ivan", "ivanov")
    sasha = make_keys(Record(name="Саша Смирнова"))
    assert sasha.given == make_keys(Record(name="Aleksandr Smirnov")).given
    assert sasha.surname == "smirnov"  # feminine ending stemmed


def test_same_person_across_scripts_and_phone_formats_matches():
    s = score(
        Record(name="Иванов Иван", phones="8 912 345 67 89"),
        Record(name="Ivan Ivanov", phones="+7 (912) 345-67-89 доб. 123"),
    )
    assert s.is_match
    codes = [r.code for r in s.reasons]
    assert "phone_rare" in codes and "surname_same" in codes
    assert s.name_similarity == 100


def test_spouses_sharing_a_home_phone_do_not_match():
    s = score(
        Record(name="Иванов Иван", phones="89123456789"),
        Record(name="Иванова Ирина", phones="+79123456789"),
    )
    assert not s.is_match
    assert "gender_differ" in [r.code for r in s.reasons]


def test_different_inn_is_decisive_for_companies():
    a = Record(name="ООО «Ромашка»", kind="company", inn="7707083893", phones="84951234567")
    b = Record(name="Ромашка", kind="company", inn="500100732259", phones="84951234567")
    c = Record(name="ООО Ромашка", kind="company", inn="7707083893")
    assert not score(a, b).is_match
    assert score(a, c).is_match


def test_initials_and_a_missing_patronymic():
    s = score(
        Record(name="Петров И.И.", phones="89123456789"),
        Record(name="Иван Иванович Петров", phones="9123456789"),
    )
    assert s.is_match


def test_role_mailbox_is_not_personal_evidence():
    a = make_keys(Record(name="Анна Котова", emails="info@romashka.ru"))
    assert a.emails == ()


@pytest.mark.parametrize(
    "rec",
    [Record(name="x" * 5000), Record(name="ООО", kind="company"), Record(name="ООО"),
     Record(phones="8-912-ABC", emails="ю@"), Record(), Record(name="  ...  ", emails="@@@"),
     Record(name="Иван " * 2000, phones=["8 912 345 67 89"] * 50)],
)  # fmt: skip
def test_bad_input_does_not_raise(rec):
    k = make_keys(rec)
    s = score(rec, rec)
    assert s.points == s.points  # a number, not NaN
    assert len(k.blocks) < 60
    assert len(k.phones) <= 8


# --- properties --------------------------------------------------------------------------

_names = st.sampled_from(
    ["Иванов Иван", "Ivan Ivanov", "Петрова Анна Сергеевна", "Юлия", "J. Smith", "Ли", "",
     "Саша Смирнов", "Aleksandr Smirnov", "ООО Ромашка", "Иванова Ирина"]
) | st.text(max_size=40)  # fmt: skip
_phones = st.lists(
    st.sampled_from(
        ["89123456789", "+7 912 345-67-89", "84951234567", "123", "", "+44 20 7946 0958"]
    )
    | st.text(max_size=15),
    max_size=3,
)  # fmt: skip
_emails = st.lists(
    st.sampled_from(["ivan@mail.ru", "Ivan.Petrov@gmail.com", "info@a.ru", "юзер@почта.рф"])
    | st.emails(),
    max_size=2,
)  # fmt: skip
_records = st.builds(
    Record,
    name=_names,
    phones=_phones.map(tuple),
    emails=_emails.map(tuple),
    company=st.sampled_from(["", "ООО «Ромашка»", "Вектор"]),
    inn=st.sampled_from(["", "7707083893", "500100732259"]),
    kind=st.sampled_from(["person", "person", "company"]),
)


@settings(max_examples=150, deadline=None)
@given(_records, _records)
def test_score_is_symmetric(a, b):
    s1, s2 = score(a, b), score(b, a)
    assert s1.points == pytest.approx(s2.points)
    assert sorted(r.code for r in s1.reasons) == sorted(r.code for r in s2.reasons)


@settings(max_examples=150, deadline=None)
@given(_records, _records)
def test_a_record_matches_itself_best(a, b):
    self_score = score(a, a)
    assert self_score.points >= score(a, b).points - 1e-6
    k = make_keys(a)
    if k.phones or k.emails or k.inn:
        assert self_score.points >= REVIEW  # always surfaces for review
    named = k.given or k.surname or k.company
    if k.emails or k.inn or (k.phones and named):
        assert self_score.points >= MATCH


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalisation_is_idempotent(text):
    f = fold(text)
    assert fold(f) == f
    e = email_norm(text)
    assert email_norm(e) == e
    p = phone_e164(text)
    assert phone_e164(p) == p
    c = company_norm(text)
    assert company_norm(c) == c


# --- scan and check ----------------------------------------------------------------------


def _base():
    return [
        Record(id="a1", name="Иванов Иван", phones="8 912 345 67 89", emails="ivan@mail.ru"),
        Record(id="a2", name="Ivan Ivanov", phones="+7 (912) 345-67-89"),
        Record(id="a3", name="Иван Иваноф", emails="IVAN@mail.ru"),
        Record(id="b1", name="Иванова Ирина", phones="89123456789"),  # spouse, same phone
        Record(id="c1", name="Петров Пётр", phones="84950000000 доб. 1", company="Вектор"),
        Record(id="c2", name="Сидоров Олег", phones="84950000000 доб. 2", company="Вектор"),
        Record(id="d1", name="Юлия Щукина", emails="yulia.sh@yandex.ru"),
        Record(id="d2", name="Iuliia Shchukina", emails="yulia-sh@ya.ru"),
    ]


def test_scan_clusters_and_keeps_hard_negatives_apart():
    result = scan(_base())
    clusters = sorted(sorted(c) for c in result.clusters)
    assert clusters == [["a1", "a2", "a3"], ["d1", "d2"]]
    matched = {frozenset((a, b)) for a, b, _ in result.matches()}
    assert frozenset(("a1", "b1")) not in matched
    assert frozenset(("c1", "c2")) not in matched


def test_scan_drops_keys_shared_by_too_many_records():
    given = ["Анна", "Олег", "Павел", "Мария", "Юрий", "Игорь"]
    surname = ["Котов", "Лисин", "Белкин", "Волков", "Зайцев"]
    board = [
        Record(id=i, name=f"{given[i % 6]} {surname[i // 6]}", phones="84951112233")
        for i in range(30)
    ]
    result = scan(board, cap=20)
    assert result.clusters == []
    assert result.candidates < 30  # the 435 pairs of the switchboard block are never formed


def test_scan_explain_matches_scan_points():
    recs = _base()
    result = scan(recs)
    for k in range(len(result.points)):
        i, j = int(result.left[k]), int(result.right[k])
        assert result.explain(i, j).points == pytest.approx(float(result.points[k]))


def test_check_on_create_ranks_candidates():
    index = CheckIndex()
    for r in _base():
        index.add(r.id, make_keys(r))
    new = make_keys(Record(name="Иван Иванов", phones="+7 912 345 67 89"))
    found = index.candidates(new)
    assert found and found[0].id in {"a1", "a2"}
    assert found[0].score.is_match
    assert [c.score.points for c in found] == sorted((c.score.points for c in found), reverse=True)
    # the spouse sharing the phone is listed below the real duplicates, if at all
    ids = [c.id for c in found]
    if "b1" in ids:
        assert not found[ids.index("b1")].score.is_match
    index.remove("a1")
    assert "a1" not in [c.id for c in index.candidates(new)]
    assert index.candidates(make_keys(Record(name="Никто"))) == []


@pytest.mark.parametrize(
    "a,b",
    [
        ("Давыдин Ильдар", "Давыдин И.Н."),  # a given name the table does not know
        ("Вороненко Таисия", "Вороненко Т.Н."),
        ("Давыдин И.Н.", "Ильдар Давыдин"),
    ],
)
def test_an_initial_may_belong_to_the_other_word(a, b):
    """ "Surname Given" against "Surname I.": the initial is compared across when it fits."""
    e = ("ildar_davydin@list.ru",)
    ab, ba = (
        score(Record(name=a, emails=e), Record(name=b, emails=e)),
        score(Record(name=b, emails=e), Record(name=a, emails=e)),
    )
    assert ab.points == ba.points and ab.is_match
    assert "initial_same" in [r.code for r in ab.reasons]


def test_a_crossed_initial_that_does_not_fit_changes_nothing():
    p = ("89161234567",)
    s = score(Record(name="Иванов И.", phones=p), Record(name="Иван Петров", phones=p))
    assert not s.is_match and "surname_differ" in [r.code for r in s.reasons]


def test_of_two_unknown_words_the_surname_shaped_one_is_the_surname():
    from voronka.dedupe.matching.keys import parse_person

    assert parse_person("Давыдин Ильдар")[:2] == ("ildar", "davidin")
    assert parse_person("Ильдар Давыдин")[:2] == ("ildar", "davidin")
    a = Record(name="Ирина Щукцкая", phones="89447408378")
    b = Record(name="Щукцкая Ипа", phones="+7 (944) 740-83-78")
    assert score(a, b).points == score(b, a).points
    assert "surname_same" in [r.code for r in score(a, b).reasons]


def test_an_ambiguous_diminutive_tells_no_gender():
    # Саша is keyed under Александр but may be Александра: no "different gender" penalty
    a = make_keys(Record(name="Мальцук Александра", phones="+7 968 286-07-48"))
    b = make_keys(Record(name="Саша Мальцук", phones="8 968 286 07 48"))
    assert b.gender == 0
    s = score(a, b)
    assert "gender_differ" not in [r.code for r in s.reasons]
    assert s.is_match
    # a spouse's record still differs by gender through the surname
    assert make_keys(Record(name="Саша Петрова")).gender == 2


def test_oksana_and_alena_are_names_of_their_own():
    assert make_keys(Record(name="Оксана Архипова")).given == fold("Оксана")
    assert make_keys(Record(name="Алёна Петрова")).given == fold("Алёна")
    assert make_keys(Record(name="Сева Гончаров")).given == fold("Всеволод")


@pytest.mark.parametrize(
    "name, a, b, own",
    [
        ("Надежда Козлова", "sunnad59047@mail.ru", "sunnad59047@ya.ru", True),  # nick, number
        ("Иван Петров", "ivan.petrov1985@mail.ru", "ivanpetrov1985@gmail.com", True),
        ("Надежда Козлова", "zverlisa@mail.ru", "zverlisa@bk.ru", True),
        ("Daniel Taylor", "d.taylor@rambler.ru", "d_taylor@farm.ru", False),  # the name only
        ("Станислав Чернов", "s.chernov@ya.ru", "schernov@list.ru", False),
        ("Григорий Колесникский", "kolesnikskygrigory@icloud.com",
         "kolesnikskygrigory@mail.ru", False),
        ("Александр Петров", "sasha.petrov@mail.ru", "sashapetrov@bk.ru", False),  # diminutive
        ("Иван Петров", "petrov.ivan14@mail.ru", "petrovivan14@bk.ru", False),  # two digits
    ],
)  # fmt: skip
def test_an_email_name_at_another_domain_counts_when_it_is_the_persons_own(name, a, b, own):
    s = score(Record(name=name, emails=a), Record(name=name, emails=b))
    codes = [r.code for r in s.reasons]
    assert ("local_rare" in codes) is own
    assert ("local_name" in codes) is not own


def test_an_identifier_mistyped_by_one_digit_is_close_not_different():
    a = Record(first_name="Laura", last_name="Hefford", birth_date="19650101", ids="2211117")
    swapped = score(a, Record(first_name="Laura", last_name="Hefford", ids="2211171"))
    other = score(a, Record(first_name="Laura", last_name="Hefford", ids="9876543"))
    b = Record(name="Laura Hefford", ids="1243")
    short = score(Record(name="Laura Hefford", ids="1234"), b)
    assert "ident_close" in [r.code for r in swapped.reasons]
    assert "ident_differ" in [r.code for r in other.reasons]
    assert "ident_close" not in [r.code for r in short.reasons]  # too short to tell
    assert swapped.points > other.points


def test_tskaya_surnames_have_a_gender_and_one_stem():
    she = make_keys(Record(name="Козлецкая Надежда"))
    he = make_keys(Record(name="Козлецкий Иван"))
    lone = make_keys(Record(name="Троцкая"))
    assert she.surname == he.surname
    assert (she.gender, he.gender, lone.gender) == (2, 1, 2)


def _clusters_of(pairs, n):
    import numpy as np

    from voronka.dedupe.matching.scan import _clusters

    left = np.array([a for a, _, _ in pairs], np.int32)
    right = np.array([b for _, b, _ in pairs], np.int32)
    points = np.array([p for _, _, p in pairs], np.float32)
    keep = points >= REVIEW
    others = ([left[~keep]], [right[~keep]], [points[~keep]])
    found = _clusters(n, left[keep], right[keep], points[keep], list(range(n)), others)
    return sorted(sorted(c) for c in found)


def test_clusters_do_not_chain_through_one_link_the_other_pairs_contradict():
    # 0-1 and 2-3 are sure; 1-2 is a weak link, but 0-2, 0-3 and 1-3 say "different"
    pairs = [(0, 1, 9.0), (2, 3, 9.0), (1, 2, 1.5), (0, 2, -8.0), (0, 3, -7.0), (1, 3, -6.0)]
    assert _clusters_of(pairs, 4) == [[0, 1], [2, 3]]


def test_clusters_join_a_chain_the_other_pairs_do_not_contradict():
    pairs = [(0, 1, 9.0), (1, 2, 3.0), (0, 2, -0.5), (3, 4, 2.0)]
    assert _clusters_of(pairs, 5) == [[0, 1, 2], [3, 4]]
    # a record linked to two others it alone connects: one cluster, whatever the order
    star = [(0, 1, 4.0), (0, 2, 4.0), (1, 2, -2.0)]
    assert _clusters_of(star, 3) == [[0, 1, 2]]


def test_uncommon_full_name_at_the_same_company_is_a_match():
    a = Record(name="Анна Котова", company="Вектор")
    b = Record(name="Котова Анна", company='ООО "Вектор"')
    few = score(a, b, freq=lambda key: 4)  # four records carry the name: uncommon
    assert "name_company" in {r.code for r in few.reasons} and few.is_match
    # a common name, or another company, or only an initial: not enough on its own
    assert not score(a, b, freq=lambda key: 40).is_match
    assert not score(a, Record(name="Котова Анна", company="Альфа"), freq=lambda k: 4).is_match
    assert not score(a, Record(name="Котова А.", company="Вектор"), freq=lambda k: 4).is_match


def test_same_document_and_birth_date_outweigh_a_replaced_name():
    a = Record(first_name="Anna", last_name="Smith", birth_date="1980-01-02", ids="4086030")
    b = Record(first_name="Mary", last_name="Jones", birth_date="19800102", ids="408-60-30")
    assert score(a, b).is_match  # a document number weighs as much as an e-mail address
    # the document alone next to a different name is not enough
    c = Record(first_name="Mary", last_name="Jones", ids="4086030")
    assert not score(Record(first_name="Anna", last_name="Smith", ids="4086030"), c).is_match


@pytest.mark.parametrize(
    ("other", "code"),
    [("1980-01-02", "birth_same"), ("1980-01-03", "birth_close"), ("1980-10-02", "birth_close"),
     ("1908-01-02", "birth_close"), ("1980-02-01", "birth_close"), ("1980-03-05", "birth_far"),
     ("1965-07-15", "birth_differ")],
)  # fmt: skip
def test_birth_date_typos_count_as_close(other, code):
    a = Record(name="Анна Котова", birth_date="1980-01-02")
    b = Record(name="Анна Котова", birth_date=other)
    codes = {r.code for r in score(a, b).reasons} & {
        "birth_same",
        "birth_close",
        "birth_far",
        "birth_differ",
    }
    assert codes == {code}


def test_identifier_two_keystrokes_away_is_neither_for_nor_against():
    def codes(x, y):
        a, b = Record(name="Анна Котова", ids=x), Record(name="Анна Котова", ids=y)
        return {r.code for r in score(a, b).reasons if r.code.startswith("ident")}

    assert codes("4086030", "4086031") == {"ident_close"}
    assert codes("4086030", "4186031") == set()  # two digits: a typo or a neighbour number
    assert codes("4086030", "9512945") == {"ident_differ"}
    assert codes("40860", "41861") == {"ident_differ"}  # short: two digits are a lot


def test_first_name_and_birth_date_tell_a_changed_surname_from_a_relative():
    """The first name and the birth date tell members of one family apart; the surname and
    the address are what they share. A changed surname (married, maiden) next to the same
    first name and birth date counts zero; another first name (twins) still counts against."""
    address = "12 rose vale, springfield 2600"
    anna = Record(first_name="Anna", last_name="Smith", birth_date="1980-01-02", address=address)
    married = Record(first_name="Anna", last_name="Jones", birth_date="1980-01-02", address=address)
    s = score(anna, married)
    codes = {r.code for r in s.reasons}
    assert {"given_birth", "surname_changed", "surname_differ"} <= codes and s.is_match
    assert score(married, anna).points == pytest.approx(s.points)
    # the same first name and birth date alone, nothing else agreeing: not enough
    bare = score(
        Record(first_name="Anna", last_name="Smith", birth_date="1980-01-02"),
        Record(first_name="Anna", last_name="Jones", birth_date="1980-01-02"),
    )
    assert (
        not bare.is_match
        and bare.points
        > score(
            Record(first_name="Anna", last_name="Smith"),
            Record(first_name="Anna", last_name="Jones"),
        ).points
    )
    # twins: the same surname, birth date and address, another first name
    twin = Record(first_name="Mary", last_name="Smith", birth_date="1980-01-02", address=address)
    t = score(anna, twin)
    assert not t.is_match and not {"given_birth", "surname_changed"} & {r.code for r in t.reasons}
    # a father and son of one name differ in birth date: no bonus
    son = Record(first_name="Anna", last_name="Smith", birth_date="2005-06-07", address=address)
    assert "given_birth" not in {r.code for r in score(anna, son).reasons}


def test_a_space_typed_inside_an_address_word_is_the_same_address():
    def codes(x, y):
        a = Record(first_name="Laura", last_name="Hefford", address=x)
        b = Record(first_name="Laura", last_name="Hefford", address=y)
        return {r.code for r in score(a, b).reasons if r.code.startswith("address")}

    assert codes("5 mort lock street", "5 mortlock street") == {"address_same"}
    # other numbers: the spaces do not bring house 5 and house 7 together
    assert codes("5 mort lock street", "7 mortlock street") != {"address_same"}

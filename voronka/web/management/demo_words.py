"""Words the demo data is made of: names, companies, products, subjects (ru and en).

Lists only, no logic. English variants of people and companies are transliterated from
the Russian ones by ``translit``.
"""

MALE_NAMES = [
    "Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Валерий",
    "Виктор", "Владимир", "Дмитрий", "Евгений", "Игорь", "Илья", "Кирилл", "Константин",
    "Максим", "Михаил", "Никита", "Николай", "Олег", "Павел", "Роман", "Сергей",
    "Станислав", "Юрий", "Григорий", "Денис", "Василий", "Фёдор",
]  # fmt: skip

FEMALE_NAMES = [
    "Алёна", "Анастасия", "Анна", "Валентина", "Вера", "Виктория", "Галина", "Дарья",
    "Екатерина", "Елена", "Ирина", "Ксения", "Людмила", "Марина", "Мария", "Наталья",
    "Нина", "Ольга", "Светлана", "Софья", "Татьяна", "Юлия", "Полина", "Кристина",
]  # fmt: skip

# Male form; the female form adds "а" (all end in -ов, -ев, -ин, -ёв).
SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев",
    "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров",
    "Калинин", "Исаев", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин",
    "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов",
    "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков",
    "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин",
    "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев",
    "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин", "Тихомиров",
    "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов",
    "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов", "Воронов",
    "Аксёнов", "Мальцев", "Логинов", "Горшков", "Савин", "Краснов", "Майоров", "Демидов",
    "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Хохлов", "Жданов",
]  # fmt: skip

# Patronymics (male, female) made from fathers' names.
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"), ("Владимирович", "Владимировна"),
    ("Дмитриевич", "Дмитриевна"), ("Евгеньевич", "Евгеньевна"), ("Игоревич", "Игоревна"),
    ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"), ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"),
    ("Викторович", "Викторовна"), ("Петрович", "Петровна"), ("Иванович", "Ивановна"),
]  # fmt: skip

COMPANY_ROOTS = [
    "Альфа", "Вектор", "Гранит", "Меридиан", "Орион", "Прогресс", "Регион", "Север",
    "Сибирь", "Стандарт", "Темп", "Урал", "Форум", "Эталон", "Восток", "Горизонт", "Дельта",
    "Импульс", "Квант", "Лидер", "Магистраль", "Нева", "Олимп", "Партнёр", "Ресурс",
    "Сфера", "Транзит", "Феникс", "Экспресс", "Алмаз", "Байкал", "Волга", "Галактика",
    "Зенит", "Кристалл", "Космос", "Монолит", "Пульсар", "Радуга", "Союз", "Спектр",
    "Старт", "Титан", "Факел", "Флагман", "Эверест", "Янтарь", "Атлант", "Бриз", "Вертикаль",
]  # fmt: skip

COMPANY_SUFFIXES = [
    "Строй", "Торг", "Снаб", "Пром", "Тех", "Логистик", "Сервис", "Инвест", "Трейд",
    "Групп", "Маркет", "Энерго", "Агро", "Софт", "Мед", "Авто", "Лес", "Мебель", "Пласт",
    "Металл", "Хим", "Проект", "Консалт", "Инжиниринг", "",
]  # fmt: skip

# (INN region code, city ru, city en, phone area code, weight)
REGIONS = [
    ("77", "Москва", "Moscow", "495", 30),
    ("78", "Санкт-Петербург", "Saint Petersburg", "812", 14),
    ("50", "Химки", "Khimki", "498", 8),
    ("16", "Казань", "Kazan", "843", 6),
    ("66", "Екатеринбург", "Yekaterinburg", "343", 6),
    ("54", "Новосибирск", "Novosibirsk", "383", 5),
    ("52", "Нижний Новгород", "Nizhny Novgorod", "831", 5),
    ("23", "Краснодар", "Krasnodar", "861", 5),
    ("61", "Ростов-на-Дону", "Rostov-on-Don", "863", 4),
    ("63", "Самара", "Samara", "846", 4),
    ("02", "Уфа", "Ufa", "347", 3),
    ("74", "Челябинск", "Chelyabinsk", "351", 3),
    ("24", "Красноярск", "Krasnoyarsk", "391", 3),
    ("59", "Пермь", "Perm", "342", 2),
    ("36", "Воронеж", "Voronezh", "473", 2),
]

STREETS = [
    "Ленина", "Мира", "Садовая", "Советская", "Гагарина", "Кирова", "Пушкина",
    "Профсоюзная", "Заводская", "Промышленная", "Лесная", "Набережная", "Московская",
    "Строителей", "Октябрьская", "Центральная",
]  # fmt: skip

MOBILE_CODES = [
    "903", "905", "906", "909", "910", "915", "916", "917", "919", "921", "925", "926",
    "929", "931", "950", "951", "952", "960", "961", "962", "965", "977", "981", "985", "999",
]  # fmt: skip

PERSONAL_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru"]

POSITIONS = {
    "ru": [
        "Генеральный директор", "Коммерческий директор", "Финансовый директор",
        "Главный бухгалтер", "Менеджер по закупкам", "Руководитель отдела закупок",
        "ИТ-директор", "Офис-менеджер", "Главный инженер", "Директор по развитию",
    ],
    "en": [
        "CEO", "Commercial director", "CFO", "Chief accountant", "Purchasing manager",
        "Head of purchasing", "CIO", "Office manager", "Chief engineer",
        "Business development director",
    ],
}  # fmt: skip

LEGAL_FORMS = {
    # (short, long, weight); "ИП" is a sole proprietor with a 12-digit ИНН.
    "ru": [
        ("ООО", "Общество с ограниченной ответственностью", 70),
        ("АО", "Акционерное общество", 12),
        ("ПАО", "Публичное акционерное общество", 3),
        ("ИП", "Индивидуальный предприниматель", 15),
    ],
    "en": [
        ("LLC", "Limited liability company", 70),
        ("JSC", "Joint-stock company", 12),
        ("PJSC", "Public joint-stock company", 3),
        ("IE", "Individual entrepreneur", 15),
    ],
}

PRODUCTS = {
    "ru": [
        "Поставка оборудования", "Внедрение CRM", "Годовая подписка", "Сервисный контракт",
        "Обучение персонала", "Лицензии на ПО", "Модернизация склада", "Аудит процессов",
        "Поставка комплектующих", "Монтаж и пусконаладка", "Аренда техники",
        "Разработка сайта", "Техническая поддержка", "Поставка расходных материалов",
        "Проектирование", "Консалтинг по продажам",
    ],
    "en": [
        "Equipment supply", "CRM roll-out", "Annual subscription", "Service contract",
        "Staff training", "Software licences", "Warehouse upgrade", "Process audit",
        "Parts supply", "Installation and commissioning", "Equipment rental",
        "Website development", "Technical support", "Consumables supply", "Design project",
        "Sales consulting",
    ],
}  # fmt: skip

REPEAT_PRODUCTS = {
    "ru": [
        "Продление подписки", "Дополнительные лицензии", "Расширение сервисного контракта",
        "Повторная поставка", "Допродажа модулей", "Обучение новых сотрудников",
    ],
    "en": [
        "Subscription renewal", "Extra licences", "Service contract extension",
        "Repeat supply", "Module upsell", "Training for new staff",
    ],
}  # fmt: skip

# (ru, en, weight, win multiplier)
SOURCES = [
    ("Сайт", "Website", 30, 1.0),
    ("Рекомендация", "Referral", 15, 1.35),
    ("Входящий звонок", "Inbound call", 20, 1.1),
    ("Холодный звонок", "Cold call", 15, 0.7),
    ("Выставка", "Trade show", 10, 0.9),
    ("E-mail рассылка", "E-mail campaign", 10, 0.8),
]
REPEAT_SOURCE = ("Действующий клиент", "Existing client")

TAGS = {
    "ru": ["VIP", "Тендер", "Партнёр", "Срочно", "Госзаказ"],
    "en": ["VIP", "Tender", "Partner", "Urgent", "Public sector"],
}

# Activity subjects by position in the pipeline: early, qualifying, proposal, closing.
SUBJECTS = {
    "ru": [
        [("call", "Первичный звонок"), ("email", "Письмо-знакомство"), ("call", "Перезвонить")],
        [
            ("call", "Звонок: выявить потребность"),
            ("meeting", "Встреча: знакомство"),
            ("task", "Отправить презентацию"),
        ],
        [
            ("meeting", "Презентация решения"),
            ("email", "Отправить коммерческое предложение"),
            ("call", "Обсудить КП"),
        ],
        [
            ("task", "Подготовить договор"),
            ("call", "Согласовать договор"),
            ("task", "Выставить счёт"),
            ("meeting", "Подписание договора"),
        ],
    ],
    "en": [
        [("call", "First call"), ("email", "Introduction e-mail"), ("call", "Call back")],
        [
            ("call", "Call: find out the need"),
            ("meeting", "Meeting: introduction"),
            ("task", "Send the presentation"),
        ],
        [
            ("meeting", "Solution presentation"),
            ("email", "Send the proposal"),
            ("call", "Discuss the proposal"),
        ],
        [
            ("task", "Prepare the contract"),
            ("call", "Agree the contract"),
            ("task", "Issue the invoice"),
            ("meeting", "Contract signing"),
        ],
    ],
}

RESULTS = {
    "ru": [
        "Клиент заинтересован", "Нужен повторный звонок", "Договорились о встрече",
        "Отправлено КП", "Не дозвонился", "Согласовали условия", "Ждём ответа от клиента",
        "Уточнили бюджет", "",
    ],
    "en": [
        "The client is interested", "Needs another call", "Meeting agreed",
        "Proposal sent", "No answer", "Terms agreed", "Waiting for the client",
        "Budget clarified", "",
    ],
}  # fmt: skip

NOTES = {
    "ru": [
        "Клиент просит скидку за объём, обсудить с руководителем.",
        "ЛПР — финансовый директор, решение после квартального бюджета.",
        "Сравнивают нас с двумя конкурентами.",
        "Важны сроки поставки, готовы платить за срочность.",
        "Нужна демонстрация для технической команды.",
        "Договор через юристов клиента, согласование 1–2 недели.",
        "Предыдущий поставщик не справился, ищут замену.",
        "Бюджет утверждён, ждём тендерную документацию.",
    ],
    "en": [
        "The client asks for a volume discount; discuss with the head of sales.",
        "The decision maker is the CFO; decision after the quarterly budget.",
        "They compare us with two competitors.",
        "Delivery time matters; ready to pay for urgency.",
        "Needs a demo for the technical team.",
        "The contract goes through the client's lawyers: 1–2 weeks.",
        "The previous supplier failed; they look for a replacement.",
        "Budget approved; waiting for the tender documents.",
    ],
}

LOST_NOTES = {
    "ru": [
        "Ушли к конкуренту с ценой ниже на 15%.",
        "Проект заморожен до следующего года.",
        "Перестали отвечать после КП.",
        "Решили сделать своими силами.",
    ],
    "en": [
        "Went to a competitor 15% cheaper.",
        "Project frozen until next year.",
        "Stopped answering after the proposal.",
        "Decided to do it in-house.",
    ],
}

OVERRIDE_REASONS = {
    "ru": "Согласовано руководителем: клиент подтвердил устно",
    "en": "Approved by the head of sales: the client confirmed verbally",
}

# The team of the demo: (username, role, first ru, last ru, first en, last en)
PEOPLE = [
    ("admin", "admin", "Алексей", "Смирнов", "Alex", "Smith"),
    ("head", "head", "Ольга", "Кузнецова", "Olivia", "Carter"),
    ("rep1", "rep", "Иван", "Петров", "John", "Parker"),
    ("rep2", "rep", "Мария", "Соколова", "Mary", "Stone"),
    ("rep3", "rep", "Дмитрий", "Волков", "David", "Wolfe"),
    ("rep4", "rep", "Анна", "Морозова", "Anna", "Morris"),
    ("rep5", "rep", "Сергей", "Новиков", "Sam", "Newman"),
    ("rep6", "rep", "Елена", "Лебедева", "Helen", "Lee"),
]
TEAM_NAME = {"ru": "Отдел продаж", "en": "Sales team"}

REPEAT_PIPELINE = {
    "name": {"ru": "Повторные продажи", "en": "Repeat sales"},
    "stages": [
        {"name": {"ru": "Запрос клиента", "en": "Client request"}, "kind": "open",
         "probability": 25, "stale_after_days": 5, "criteria": []},
        {"name": {"ru": "Коммерческое предложение", "en": "Proposal"}, "kind": "open",
         "probability": 50, "stale_after_days": 10,
         "criteria": [{"kind": "question",
                       "label": {"ru": "Клиент подтвердил бюджет?",
                                 "en": "Has the client confirmed the budget?"}}]},
        {"name": {"ru": "Согласование договора", "en": "Contract approval"}, "kind": "open",
         "probability": 80, "stale_after_days": 14,
         "criteria": [{"kind": "milestone", "milestone": "contract",
                       "milestone_date": "planned"}]},
        {"name": {"ru": "Успешно", "en": "Won"}, "kind": "won", "probability": 100,
         "criteria": []},
        {"name": {"ru": "Закрыто и не реализовано", "en": "Lost"}, "kind": "lost",
         "probability": 0, "criteria": []},
    ],
}  # fmt: skip

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


def translit(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in _TRANSLIT:
            t = _TRANSLIT[low]
            out.append(t.capitalize() if ch != low else t)
        else:
            out.append(ch)
    return "".join(out)

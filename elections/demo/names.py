"""The names of the national round: places, streets and people, the way they are spelled."""

from __future__ import annotations

import random

# Place names are built the way Kazakh toponyms are: a qualifier and a landscape word
# (Ақжар, Қаратал, Көкбұлақ), or a word of its own (Бірлік, Достық).
PREFIXES = ["Ақ", "Қара", "Көк", "Сары", "Жаңа", "Қызыл", "Алтын", "Бес", "Үш", "Жеті",
            "Кең", "Ұзын", "Тас", "Құм", "Ескі", "Шұбар", "Қоңыр", "Боз", "Ала", "Таң"]  # fmt: skip
ROOTS = ["жар", "тал", "бұлақ", "көл", "тау", "су", "қайың", "терек", "төбе", "шоқы",
         "өзек", "құдық", "сай", "қайнар", "ағаш", "қамыс", "тоғай", "арал", "адыр", "бел",
         "жол", "қора", "кент", "дала", "өткел"]  # fmt: skip
WORDS = ["Бірлік", "Достық", "Ынтымақ", "Жеңіс", "Береке", "Шұғыла", "Тұрмыс", "Еңбек",
         "Қайрат", "Жалын", "Самал", "Арай", "Нұрлы", "Ақниет", "Бостандық", "Тәуелсіздік",
         "Абай", "Амангелді", "Жамбыл", "Шоқан", "Құрманғазы", "Ыбырай", "Мағжан",
         "Сәкен", "Бейімбет", "Байтұрсын", "Жұмабай", "Әуезов", "Қабанбай", "Бөгенбай",
         "Қасым", "Есіл", "Ертіс", "Нұра", "Торғай", "Ырғыз", "Сарысу", "Ілияс"]  # fmt: skip
STREETS = ["Абай", "Достық", "Бейбітшілік", "Тәуелсіздік", "Орталық", "Мектеп", "Жастар",
           "Байтұрсынов", "Әуезов", "Наурыз", "Бірлік", "Жеңіс", "Сәтбаев",
           "Құнанбаев"]  # fmt: skip
BUILDINGS = ["мектеп", "мәдениет үйі", "клуб", "ауылдық округ әкімдігі", "кітапхана",
             "спорт кешені", "дәрігерлік амбулатория"]  # fmt: skip

KK_MALE = ["Ерлан", "Бауыржан", "Нұрлан", "Асхат", "Ержан", "Серік", "Дәурен", "Қайрат",
           "Арман", "Мұрат", "Талғат", "Ғалым", "Жандос", "Ербол", "Марат", "Бақыт", "Азамат",
           "Дархан", "Болат", "Мейрам", "Әділет", "Ақылбек", "Руслан", "Санжар", "Ерболат",
           "Мақсат", "Жасұлан", "Қанат", "Аян", "Ғабит", "Нұржан", "Алмас", "Бекзат",
           "Ермек", "Төлеген", "Самат", "Еркін", "Сұлтан", "Абылай", "Диас"]  # fmt: skip
KK_FEMALE = ["Гүлнар", "Айгүл", "Сәуле", "Ләззат", "Жанар", "Әсел", "Динара", "Мәдина",
             "Гүлмира", "Айжан", "Бота", "Ақмарал", "Назгүл", "Салтанат", "Раушан",
             "Жансая", "Мөлдір", "Аружан", "Шынар", "Ләйлә", "Меруерт", "Гүлжан"]  # fmt: skip
# Surnames given in their masculine form; the feminine adds -а (Қасымов -> Қасымова).
KK_SURNAMES = ["Әбдірахманов", "Қасымов", "Нұрланов", "Серікбаев", "Жұмабаев", "Ахметов",
               "Омаров", "Сыздықов", "Бекмұхамбетов", "Мұқанов", "Оспанов", "Төлеуов",
               "Әлімжанов", "Ысқақов", "Есенов", "Құдайбергенов", "Байжанов", "Садықов",
               "Ермеков", "Шәріпов", "Ибраев", "Дүйсенов", "Қалиев", "Жақсылықов",
               "Тұрсынов", "Әміров", "Бейсенов", "Исабеков", "Мұратов", "Смағұлов",
               "Жәнібеков", "Байтасов", "Оразов", "Ғабдуллин", "Ержанов", "Көшербаев",
               "Ілиясов", "Өмірзақов", "Үсенов", "Нұрпейісов", "Тілеубердиев",
               "Қожахметов"]  # fmt: skip
# Kazakh surnames without a Russian ending (Сейітқали, Болатұлы) stay the same for women.
KK_PLAIN_SURNAMES = ["Сейітқали", "Болатұлы", "Серікұлы", "Нұрғали", "Әбіш", "Тоқтар"]
RU_MALE = ["Сергей", "Александр", "Владимир", "Андрей", "Николай", "Дмитрий", "Игорь",
           "Виктор", "Олег", "Юрий", "Евгений", "Алексей"]  # fmt: skip
RU_FEMALE = ["Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Светлана", "Людмила"]
RU_SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Морозов",
               "Волков", "Лебедев", "Новиков", "Фёдоров", "Ковалёв", "Белов", "Гусев"]  # fmt: skip
RU_PATRONYMICS = [("Петрович", "Петровна"), ("Иванович", "Ивановна"),
                  ("Сергеевич", "Сергеевна"), ("Николаевич", "Николаевна"),
                  ("Викторович", "Викторовна"), ("Александрович", "Александровна"),
                  ("Владимирович", "Владимировна")]  # fmt: skip

_TRANSLIT = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноууhиАГКНОУУHИ")


def to_russian(name: str) -> str:
    """The Russian spelling of a Kazakh name (Көкбұлақ -> Кокбулак), as maps print it."""
    return name.translate(_TRANSLIT).replace("h", "х").replace("H", "Х")


def russian_adjective(stem: str) -> str:
    """Кызылжар -> Кызылжарский, Жанаарка -> Жанааркинский: the Russian district name."""
    if stem[-1] in "аяеоыи":
        return stem[:-1] + "инский"
    return stem + "ский"


def place_name(rng: random.Random, taken: set[str]) -> str:
    """A place name not yet in ``taken`` (and now in it)."""
    for _attempt in range(50):
        if rng.random() < 0.75:
            name = rng.choice(PREFIXES) + rng.choice(ROOTS)
        else:
            name = rng.choice(WORDS)
        if name not in taken:
            taken.add(name)
            return name
    name = f"{rng.choice(WORDS)} {len(taken)}"
    taken.add(name)
    return name


def person(rng: random.Random) -> tuple[str, str, str, str]:
    """(last, first, patronymic, sex) in the proportions of a Kazakh ballot."""
    sex = "female" if rng.random() < 0.22 else "male"
    if rng.random() < 0.12:
        last = rng.choice(RU_SURNAMES) + ("а" if sex == "female" else "")
        first = rng.choice(RU_FEMALE if sex == "female" else RU_MALE)
        patronymic = rng.choice(RU_PATRONYMICS)[sex == "female"]
        return last, first, patronymic, sex
    if rng.random() < 0.1:
        last = rng.choice(KK_PLAIN_SURNAMES)
    else:
        last = rng.choice(KK_SURNAMES) + ("а" if sex == "female" else "")
    first = rng.choice(KK_FEMALE if sex == "female" else KK_MALE)
    father = rng.choice(KK_MALE)
    if rng.random() < 0.6:
        patronymic = father + ("қызы" if sex == "female" else "ұлы")
    else:
        patronymic = father + ("овна" if sex == "female" else "ович")
    return last, first, patronymic, sex

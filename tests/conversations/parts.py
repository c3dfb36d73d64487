"""The parts generated callers are made of: names, numbers as people say them and as Whisper writes them, addresses, concerns.

Plain data and small renderers with no knowledge of the parsers, so the benchmark cannot lean on how the code reads things.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- names ------------------------------------------------------------------------------------------------------------------------
# (first, last, gender) – Turkish and Polish names as Whisper writes them on a German line (no ş, ı, ł).
NAMES_DE = (
    ("Martina", "Keller", "f"), ("Peter", "Hartmann", "m"), ("Elfriede", "Hartmann", "f"), ("Jürgen", "Wolf", "m"),
    ("Sabine", "Koch", "f"), ("Thomas", "Sommer", "m"), ("Anna", "Becker", "f"), ("Klaus", "Fischer", "m"),
    ("Monika", "Vogel", "f"), ("Stefan", "Winter", "m"), ("Ursula", "Braun", "f"), ("Markus", "Fuchs", "m"),
    ("Heike", "Schneider", "f"), ("Wolfgang", "Zimmermann", "m"), ("Andrea", "Krüger", "f"), ("Florian", "Huber", "m"),
    ("Mehmet", "Yilmaz", "m"), ("Ayse", "Demir", "f"), ("Emre", "Kaya", "m"), ("Fatma", "Sahin", "f"), ("Can", "Öztürk", "m"),
    ("Katarzyna", "Nowak", "f"), ("Piotr", "Kowalski", "m"), ("Agnieszka", "Wisniewska", "f"), ("Tomasz", "Wojcik", "m"),
    ("Marek", "Zielinski", "m"), ("Renate", "Müller-Lüdenscheidt", "f"), ("Bernd", "Schmidt-Weber", "m"),
    ("Leyla", "Hoffmann-Yilmaz", "f"), ("Ingrid", "Kowalski-Braun", "f"), ("Dieter", "Bäcker", "m"), ("Gabriele", "Engel", "f"),
)
NAMES_EN = (
    ("John", "Smith", "m"), ("Emily", "Clarke", "f"), ("Oliver", "Hughes", "m"), ("Sarah", "Thompson", "f"),
    ("James", "O'Connor", "m"), ("Laura", "Baker", "f"), ("Daniel", "Cook", "m"), ("Hannah", "Walker", "f"),
    ("Michael", "Wright", "m"), ("Rachel", "Green", "f"), ("David", "Miller", "m"), ("Sophie", "Turner", "f"),
    ("Mehmet", "Yilmaz", "m"), ("Katarzyna", "Nowak", "f"), ("Thomas", "Becker", "m"), ("Anna", "Sommer", "f"),
    ("Peter", "Fischer", "m"), ("Claire", "Smith-Jones", "f"), ("Mark", "Koch", "m"), ("Julia", "Kowalski", "f"),
)
# (company, how "from" it is said)
COMPANIES_DE = (("Keller Immobilien GmbH", "von der"), ("Hausverwaltung Sommer", "von der"), ("Bäckerei Vogel", "von der"),
                ("Fliesenhandel Roth", "vom"), ("Praxis Dr. Winter", "von der"), ("Café Central", "vom"),
                ("Autohaus Fuchs KG", "vom"), ("Kanzlei Braun und Partner", "von der"))
COMPANIES_EN = (("Cyberdyne Ltd", "from"), ("Baker Properties", "from"), ("Green Dental Practice", "from the"),
                ("Munich Lettings GmbH", "from"), ("Hughes and Sons", "from"))

# -- numbers -----------------------------------------------------------------------------------------------------------------------
DIGITS = {
    "de": ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}
_DE_TEENS = ("zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn")
_DE_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
MOBILE_PREFIXES = ("0151", "0152", "0157", "0160", "0162", "0170", "0171", "0172", "0173", "0175", "0176", "0177", "0179")
LANDLINE_PREFIXES = ("089", "08131", "08106", "030")


def pair_words(pair: str, language: str) -> str:
    """Two digits as one number, the way people say them in pairs: "34" → "vierunddreißig", "05" → "null fünf"."""
    if pair[0] == "0":
        return f"{DIGITS[language][0]} {DIGITS[language][int(pair[1])]}"
    n = int(pair)
    if language == "de":
        if n < 20:
            return _DE_TEENS[n - 10]
        unit = n % 10
        return _DE_TENS[n // 10] if unit == 0 else ("ein" if unit == 1 else DIGITS["de"][unit]) + "und" + _DE_TENS[n // 10]
    if n < 20:
        return _EN_TEENS[n - 10]
    unit = n % 10
    return _EN_TENS[n // 10] if unit == 0 else f"{_EN_TENS[n // 10]}-{DIGITS['en'][unit]}"


def digit_words(digits: str, language: str, doubles: bool = False) -> str:
    """Digit by digit in words; with `doubles`, a repeated digit is "doppel drei" / "double three"."""
    words: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        if doubles and i + 1 < len(digits) and digits[i + 1] == d:
            words.append(("doppel " if language == "de" else "double ") + DIGITS[language][int(d)])
            i += 2
            continue
        words.append(DIGITS[language][int(d)])
        i += 1
    return " ".join(words)


def groups_of(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, i = [], 0
    for size in sizes:
        if i >= len(digits):
            break
        out.append(digits[i:i + size])
        i += size
    if i < len(digits):
        out.append(digits[i:])
    return out


@dataclass(frozen=True)
class Street:
    name: str  # "Lindenstraße", "Am Hang"
    english: bool = False  # "14 Baker Street": number first


STREETS_DE = (
    Street("Lindenstraße"), Street("Bahnhofstraße"), Street("Am Hang"), Street("Rosenweg"), Street("Kirchplatz"),
    Street("Schillerstraße"), Street("Am Anger"), Street("Ringstraße"), Street("Waldweg"), Street("Münchner Straße"),
    Street("Goethestraße"), Street("Leopoldstraße"), Street("Birkenallee"), Street("Im Winkel"), Street("Sonnenstraße"),
    Street("Hauptstraße"), Street("Kastanienweg"), Street("Mühlgasse"),
)
STREETS_EN = (Street("Baker Street", True), Street("Maple Road", True), Street("Church Lane", True), Street("Park Avenue", True))
TOWNS = (("80331", "München", "Munich"), ("80802", "München", "Munich"), ("85748", "Garching", "Garching"),
         ("85540", "Haar", "Haar"), ("81369", "München", "Munich"), ("85716", "Unterschleißheim", "Unterschleißheim"))
HOUSE_NUMBERS = ("4", "12", "12a", "7", "23", "3b", "40", "108", "9", "16")
FLOORS = {"de": ("dritter Stock", "zweiter Stock links", "Erdgeschoss", "Hinterhaus"), "en": ("third floor", "ground floor", "flat 2")}
CARE_OF = {"de": "bei {name}", "en": "care of {name}"}


@dataclass(frozen=True)
class Concern:
    text: str  # as it fits after "bei mir …" / "my …"
    words: tuple[str, ...]  # what the note's concern must contain
    urgency: str = ""  # "emergency" when the words themselves make it one


CONCERNS = {
    "de": (
        Concern("der Wasserhahn in der Küche tropft", ("Wasserhahn", "tropft")),
        Concern("die Toilette ist verstopft", ("Toilette", "verstopft")),
        Concern("die Heizung macht so komische Geräusche", ("Heizung", "Geräusche")),
        Concern("der Abfluss in der Dusche läuft nicht mehr ab", ("Abfluss", "Dusche")),
        Concern("die Therme zeigt eine Störung an", ("Therme", "Störung")),
        Concern("ein Heizkörper im Wohnzimmer wird nicht mehr warm", ("Heizkörper", "warm")),
        Concern("der Spülkasten läuft ständig nach", ("Spülkasten",)),
        Concern("unter dem Waschbecken ist alles feucht", ("Waschbecken", "feucht")),
        Concern("die Steckdose im Bad hat keinen Strom mehr", ("Steckdose", "Strom")),
        Concern("die Dachrinne ist undicht", ("Dachrinne", "undicht")),
        Concern("der Boiler macht kein warmes Wasser mehr", ("Boiler", "Wasser")),
        Concern("die Spülmaschine ist nicht richtig angeschlossen", ("Spülmaschine", "angeschlossen")),
    ),
    "en": (
        Concern("the kitchen tap is dripping", ("tap", "dripping")),
        Concern("the toilet is blocked", ("toilet", "blocked")),
        Concern("the radiator in the living room is not getting warm", ("radiator", "warm")),
        Concern("the shower drain is draining very slowly", ("shower", "drain")),
        Concern("the boiler shows an error code", ("boiler", "error")),
        Concern("there is a damp patch under the sink", ("damp", "sink")),
        Concern("the socket in the bathroom has no power", ("socket", "power")),
        Concern("the gutter is leaking", ("gutter", "leaking")),
    ),
}
EMERGENCIES = {
    "de": (
        Concern("wir haben einen Rohrbruch im Keller, das Wasser läuft überall", ("Rohrbruch",), "emergency"),
        Concern("es riecht im Treppenhaus stark nach Gas", ("Gas",), "emergency"),
        Concern("die Heizung ist komplett ausgefallen und es ist eiskalt", ("Heizung", "ausgefallen"), "emergency"),
        Concern("bei uns kommt Wasser durch die Decke", ("Wasser", "Decke"), "emergency"),
        Concern("die Toilette läuft über und hört nicht mehr auf", ("Toilette", "läuft über"), "emergency"),
    ),
    "en": (
        Concern("a pipe burst in the basement and water is everywhere", ("pipe", "burst"), "emergency"),
        Concern("I can smell gas in the kitchen", ("gas",), "emergency"),
        Concern("water is coming through the ceiling", ("water", "ceiling"), "emergency"),
        Concern("the toilet is overflowing and it won't stop", ("toilet", "overflowing"), "emergency"),
    ),
}
QUOTES = {
    "de": (
        Concern("ich hätte gern ein Angebot für ein neues Bad", ("Angebot", "Bad")),
        Concern("ich bräuchte einen Kostenvoranschlag für den Austausch der Heizung", ("Kostenvoranschlag", "Heizung")),
        Concern("was würde es ungefähr kosten, eine neue Dusche einzubauen, ich hätte gern ein Angebot", ("Angebot", "Dusche")),
    ),
    "en": (
        Concern("I'd like a quote for a new bathroom", ("quote", "bathroom")),
        Concern("could you give me an estimate for replacing the boiler", ("estimate", "boiler")),
    ),
}
FOLLOW_UPS = {
    "de": (
        Concern("Ihr Techniker war letzte Woche da, und der Wasserhahn tropft schon wieder", ("tropft",)),
        Concern("es geht um die Rechnung, da ist ein Posten doppelt berechnet", ("Rechnung", "doppelt")),
        Concern("ich wollte nachfragen, wann das bestellte Ersatzteil kommt", ("Ersatzteil",)),
    ),
    "en": (
        Concern("your engineer came last week and the tap is dripping again", ("dripping",)),
        Concern("it's about the invoice, one item was charged twice", ("invoice", "twice")),
    ),
}
MESSAGES = {
    "de": (
        ("Herrn Huber", "Huber", Concern("die Heizkörper angekommen sind", ("Heizkörper", "angekommen"))),
        ("Frau Maier", "Maier", Concern("sie mich wegen der Fliesen zurückrufen soll", ("Fliesen",))),
        ("Herrn Huber", "Huber", Concern("der Termin am Freitag verschoben werden muss", ("Termin", "verschoben"))),
    ),
    "en": (
        ("Mr Huber", "Huber", Concern("the radiators have arrived", ("radiators", "arrived"))),
        ("Mrs Maier", "Maier", Concern("she should call me back about the tiles", ("tiles",))),
    ),
}


@dataclass(frozen=True)
class Question:
    text: str
    words: tuple[str, ...]  # what the note's concern / questions must contain
    reply: str  # a phrase the agent's answer must contain ("" when the profile cannot answer)


QUESTIONS = {
    "de": (
        Question("Was kostet bei Ihnen eigentlich die Anfahrt?", ("Anfahrt",), "39 Euro"),
        Question("Wann haben Sie denn geöffnet?", ("geöffnet",), "Montag bis Donnerstag"),
        Question("Bauen Sie auch Wärmepumpen ein?", ("Wärmepumpen",), ""),
        Question("Kommen Sie auch nach Garching?", ("Garching",), "im Einsatz"),
    ),
    "en": (
        Question("How much do you charge per hour?", ("charge",), "68 euros"),
        Question("What are your opening hours?", ("opening hours",), "Monday to Thursday"),
        Question("Do you also install heat pumps?", ("heat pumps",), ""),
    ),
}

# -- urgency and appointments --------------------------------------------------------------------------------------------------
URGENCY_PHRASES = {
    "de": {
        "soon": ("möglichst bald, bitte", "es wäre schon dringend", "diese Woche noch, wenn es geht", "in den nächsten Tagen",
                 "so schnell wie möglich", "es eilt ein bisschen"),
        "no_rush": ("es hat Zeit", "keine Eile", "nicht so dringend", "das ist nicht eilig"),
    },
    "en": {
        "soon": ("quite soon, please", "as soon as possible, I have a baby at home", "it's fairly urgent", "in the next few days"),
        "no_rush": ("there's no rush", "it's not urgent", "no hurry at all"),
    },
}
# (phrase, days from now or weekday index, kind): kind "days" adds days, "weekday" is the next such weekday, "next_week" that
# weekday in the following week.
WINDOW_PHRASES = {
    "de": (
        ("morgen Vormittag", 1, "days"), ("übermorgen am Nachmittag", 2, "days"), ("am Freitag nachmittags", 4, "weekday"),
        ("nächste Woche Dienstag", 1, "next_week"), ("am Donnerstag ab 14 Uhr", 3, "weekday"), ("am Montag früh", 0, "weekday"),
    ),
    "en": (
        ("tomorrow morning", 1, "days"), ("on Friday afternoon", 4, "weekday"), ("Tuesday next week", 1, "next_week"),
        ("Thursday after 2 pm", 3, "weekday"),
    ),
}
# Urgency phrases that already say when: a caller who says them has no other preferred time.
ASAP_PHRASES = frozenset({"so schnell wie möglich", "möglichst bald, bitte", "diese Woche noch, wenn es geht", "in den nächsten Tagen",
                          "as soon as possible, I have a baby at home", "quite soon, please", "in the next few days"})
FILLERS = {"de": ("ähm, ", "also, ", "ja, also, ", "äh, ", "", ""), "en": ("um, ", "well, ", "so, ", "uh, ", "", "")}
# Sentence openings that are lower-cased after a greeting ("Hallo, der Wasserhahn …"); names and nouns keep their capital.
LOWER_AFTER_GREETING = frozenset(
    "der die das ein eine es wir bei ich unter hier wann was bauen kommen bin können the a there my it's how what do could is "
    "this your".split()
)
GREETINGS = {"de": ("Guten Tag, ", "Hallo, ", "Grüß Gott, ", "Ja, hallo, ", "Schönen guten Morgen, "),
             "en": ("Hello, ", "Hi, ", "Good morning, ", "Hi there, ")}

# -- parts only the test part draws on --------------------------------------------------------------------------------------------
# Written after tuning on the dev part ended and never run through the parsers before the held-out run: the test callers mix
# these with the shared parts above, so the held-out figure also meets names, streets, concerns and phrasings nobody tuned on.
TEST_ONLY: dict[str, object] = {
    "NAMES_DE": (("Brigitte", "Schäfer", "f"), ("Hans-Peter", "Lehmann", "m"), ("Zeynep", "Arslan", "f"), ("Murat", "Celik", "m"),
                 ("Magdalena", "Lewandowska", "f"), ("Krzysztof", "Kaminski", "m"), ("Uwe", "Schuster", "m"), ("Karin", "Jäger", "f"),
                 ("Ralf", "Richter", "m"), ("Sophie", "Graf-Neumann", "f"), ("Lukas", "Meister", "m"), ("Petra", "Zimmer", "f")),
    "NAMES_EN": (("Ian", "Fletcher", "m"), ("Grace", "Mason", "f"), ("Aisha", "Khan", "f"), ("Robert", "Taylor-Brown", "m"),
                 ("Liam", "Murphy", "m"), ("Chloe", "Price", "f")),
    "COMPANIES_DE": (("Metzgerei Jäger", "von der"), ("Schreinerei Holzmann GmbH", "von der"), ("Immobilienverwaltung Nord", "von der")),
    "COMPANIES_EN": (("Fletcher Estates", "from"), ("Bright Smile Dental", "from")),
    "STREETS_DE": (Street("Ahornweg"), Street("Am Bach"), Street("Marktplatz"), Street("Wiesenstraße"), Street("Zum Sportplatz"),
                   Street("Theresienstraße")),
    "STREETS_EN": (Street("Oak Avenue", True), Street("High Street", True)),
    "TOWNS": (("85737", "Ismaning", "Ismaning"), ("82152", "Planegg", "Planegg"), ("81735", "München", "Munich")),
    "HOUSE_NUMBERS": ("5c", "27", "112", "1"),
    "CONCERNS_de": (Concern("die Waschmaschine verliert Wasser", ("Waschmaschine", "Wasser")),
                    Concern("der Durchlauferhitzer geht ständig aus", ("Durchlauferhitzer",)),
                    Concern("im Bad riecht es modrig aus dem Abfluss", ("Abfluss", "riecht")),
                    Concern("die Fußbodenheizung wird nur halb warm", ("Fußbodenheizung", "warm")),
                    Concern("der Wasserdruck in der Dusche ist sehr schwach", ("Wasserdruck", "Dusche"))),
    "CONCERNS_en": (Concern("the washing machine is leaking water", ("washing machine", "leaking")),
                    Concern("the water pressure in the shower is very low", ("water pressure", "shower")),
                    Concern("the underfloor heating only gets half warm", ("underfloor heating",))),
    "EMERGENCIES_de": (Concern("aus der Wand spritzt Wasser und wir kriegen es nicht abgestellt", ("Wasser", "Wand"), "emergency"),
                       Concern("es riecht im Keller nach Gas", ("Gas",), "emergency")),
    "EMERGENCIES_en": (Concern("water is spraying out of the wall and we can't turn it off", ("water", "wall"), "emergency"),),
    "QUOTES_de": (Concern("ich möchte ein Angebot für eine neue Therme", ("Angebot", "Therme")),),
    "QUOTES_en": (Concern("I'm looking for a quote to replace our old radiators", ("quote", "radiators")),),
    "FOLLOW_UPS_de": (Concern("die Reparatur von letzter Woche hat nicht gehalten, das Waschbecken tropft wieder", ("Reparatur", "tropft")),),
    "FOLLOW_UPS_en": (Concern("the repair from last week didn't hold, the sink is leaking again", ("repair", "leaking")),),
    "MESSAGES_de": (("Herrn Wagner", "Wagner", Concern("die Fliesen erst am Montag geliefert werden", ("Fliesen", "Montag"))),),
    "MESSAGES_en": (("Mr Wagner", "Wagner", Concern("the tiles will only arrive on Monday", ("tiles", "Monday"))),),
    "QUESTIONS_de": (Question("Haben Sie am Samstag auch geöffnet?", ("Samstag",), ""),),
    "QUESTIONS_en": (Question("Are you open on Saturdays?", ("Saturdays",), ""),),
    "URGENCY_de_soon": ("am liebsten noch heute", "zeitnah, bitte"),
    "URGENCY_de_no_rush": ("das kann auch bis nächsten Monat warten",),
    "URGENCY_en_soon": ("it's pretty urgent actually", "we need it sorted this week"),
    "URGENCY_en_no_rush": ("it can wait a couple of weeks",),
    "WINDOWS_de": (("Mittwoch nächste Woche", 2, "next_week"), ("am Dienstag Vormittag", 1, "weekday")),
    "WINDOWS_en": (("Wednesday next week", 2, "next_week"), ("on Tuesday morning", 1, "weekday")),
    "FILLERS_de": ("tja, ", "hm, "),
    "FILLERS_en": ("right, ",),
    "NUMBER_FORMS": ("slash", "brackets"),
}
TEST_ASAP_PHRASES = frozenset({"am liebsten noch heute", "we need it sorted this week"})

# -- parts only the dev part draws on ----------------------------------------------------------------------------------------------
# Written on 2026-12-01 from what callers of a plumbing/heating firm say, to make the dev part informative again after it had
# saturated; never derived from the test part. The test part does not draw on them, so its callers stay as they were.
DEV_ONLY: dict[str, object] = {
    "NAMES_DE": (("Jens", "Meier", "m"), ("Zeynep", "Arslan", "f"), ("Lukas", "Schuster", "m"), ("Brigitte", "Wagner", "f"),
                 ("Dariusz", "Lewandowski", "m"), ("Hannelore", "Kaiser", "f")),
    "NAMES_EN": (("Priya", "Patel", "f"), ("Tom", "Fletcher", "m"), ("Grace", "Bishop", "f"), ("Ahmet", "Celik", "m")),
    "CONCERNS_de": (
        Concern("die Badewanne läuft nur noch ganz langsam ab", ("Badewanne",)),
        Concern("im Bad riecht es so komisch nach Abwasser", ("Abwasser",)),
        Concern("der Durchlauferhitzer geht immer wieder aus", ("Durchlauferhitzer",)),
        Concern("an der Heizung im Flur ist das Ventil undicht", ("Ventil", "undicht")),
    ),
    "CONCERNS_en": (
        Concern("the hot tap in the bathroom is loose", ("tap", "loose")),
        Concern("the extractor fan in the bathroom has stopped working", ("fan",)),
        Concern("the pressure on the boiler keeps dropping", ("pressure", "boiler")),
    ),
    "EMERGENCIES_de": (
        Concern("im Keller steht das Wasser schon zehn Zentimeter hoch", ("Keller", "Wasser"), "emergency"),
        Concern("aus der Wand im Bad spritzt Wasser raus", ("Wand", "Wasser"), "emergency"),
    ),
    "EMERGENCIES_en": (
        Concern("the basement is full of water", ("basement", "water"), "emergency"),
        Concern("water is pouring out from under the boiler", ("water", "boiler"), "emergency"),
    ),
    "URGENCY_de_soon": ("bis Freitag sollte es schon erledigt sein", "es wird jeden Tag schlimmer", "je früher, desto besser",
                        "wenn es geht, noch vor dem Wochenende", "zeitnah wäre schön"),
    "URGENCY_de_no_rush": ("wenn Sie mal Zeit haben", "das kann auch ein, zwei Wochen warten", "ganz entspannt, irgendwann demnächst",
                           "das eilt überhaupt nicht"),
    "URGENCY_en_soon": ("it's getting worse", "the sooner the better", "by Friday if you can", "before the weekend, if possible"),
    "URGENCY_en_no_rush": ("when you get a chance", "whenever suits you", "it can wait a week or two", "no great hurry"),
    "FILLERS_de": ("ähm, ja, also, ", "ja, äh, "),
    "NUMBER_FORMS": ("hesitant",),
    "FILLERS_en": ("um, yeah, so, ", "right, erm, "),
}
# Second round, written on 2026-12-02 the same way (from what callers of a trade say, never from the test part): surnames with
# letters Whisper keeps (Ö, ś), an apostrophe and "Mc"; cisterns, siphons and servicing; water through a named ceiling; more
# ways to say soon and no hurry.
_DEV_ROUND_2: dict[str, tuple[object, ...]] = {
    "NAMES_DE": (("Emine", "Öztürk", "f"), ("Anh", "Nguyen", "f"), ("Wolfgang", "Schmitt", "m"), ("Piotr", "Wiśniewski", "m")),
    "NAMES_EN": (("Sean", "O'Brien", "m"), ("Fiona", "McDonald", "f")),
    "CONCERNS_de": (
        Concern("die Toilettenspülung läuft ständig nach", ("Toilettenspülung",)),
        Concern("der Siphon unter dem Waschbecken ist undicht", ("Siphon", "undicht")),
        Concern("die Gastherme müsste mal wieder gewartet werden", ("Gastherme", "gewartet")),
        Concern("die Heizkörper oben gluckern und werden nicht richtig warm", ("Heizkörper",)),
    ),
    "CONCERNS_en": (
        Concern("the toilet keeps running after it's flushed", ("toilet",)),
        Concern("the boiler is due for its annual service", ("boiler", "service")),
        Concern("the radiators upstairs are gurgling and don't get properly warm", ("radiators",)),
    ),
    "EMERGENCIES_de": (
        Concern("bei uns kommt das Wasser durch die Küchendecke", ("Wasser", "Küchendecke"), "emergency"),
        Concern("im Hausflur riecht es ganz stark nach Gas", ("Gas",), "emergency"),
    ),
    "EMERGENCIES_en": (
        Concern("water is coming through the kitchen ceiling", ("water", "ceiling"), "emergency"),
        Concern("there's a strong smell of gas in the hallway", ("gas",), "emergency"),
    ),
    "URGENCY_de_soon": ("es ist schon ziemlich dringend", "das müsste bald gemacht werden", "heute oder morgen wäre gut"),
    "URGENCY_de_no_rush": ("das hat Zeit", "nichts Dringendes", "es pressiert nicht"),
    "URGENCY_en_soon": ("as soon as you can, really", "we'd like it done soon", "today or tomorrow would be good"),
    "URGENCY_en_no_rush": ("it's not urgent at all", "any time in the next few weeks is fine", "there's no real hurry"),
    "FILLERS_de": ("naja, ", "hm, also, "),
    "FILLERS_en": ("so, um, ", "okay, so, "),
}
for _key, _more in _DEV_ROUND_2.items():
    DEV_ONLY[_key] = (*DEV_ONLY.get(_key, ()), *_more)  # type: ignore[misc]
# Dev-only urgency phrases that already say when (no other preferred time).
DEV_ASAP_PHRASES = frozenset({"bis Freitag sollte es schon erledigt sein", "wenn es geht, noch vor dem Wochenende", "by Friday if you can",
                              "before the weekend, if possible", "je früher, desto besser", "the sooner the better",
                              "heute oder morgen wäre gut", "today or tomorrow would be good", "as soon as you can, really"})

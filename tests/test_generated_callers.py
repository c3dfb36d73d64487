"""The held-out conversation benchmark's own parts: enough varied callers, a clean dev/test split, a caller simulator that hears right.

Fast and model-free; the dialogue properties measured with it are in test_dialogue_listens.py.
"""

from __future__ import annotations

from tests.conversations.generator import NUMBER_FORMS, SCENARIOS, TEST_SEED_BASE, generate, split, spoken_number
from tests.conversations.simulator import asked, heard_digits, same_number
from voicebridge.dialogue.parsers import PhoneNumber


def test_at_least_300_callers_split_by_seed_into_dev_and_test() -> None:
    dev, test = split("dev"), split("test")
    assert len(dev) + len(test) >= 300
    assert all(f.seed < TEST_SEED_BASE for f in dev) and all(f.seed >= TEST_SEED_BASE for f in test)
    assert not {f.id for f in dev} & {f.id for f in test}
    assert generate(17) == generate(17)  # a seed always makes the same caller


def test_the_callers_cover_what_real_callers_do() -> None:
    callers = split("dev") + split("test")
    assert {f.scenario for f in callers} == {s for s, _ in SCENARIOS}
    assert {f.language for f in callers} == {"de", "en"}
    assert {f.number_form for f in callers} >= set(NUMBER_FORMS)
    dev_parts = {(f.last, f.concern) for f in split("dev")}
    assert {(f.last, f.concern) for f in split("test")} - dev_parts  # the test part also meets parts the dev part never had
    assert {f.name_style for f in callers} >= {"full", "title_last", "last_first", "dr_full", "spelled"}
    texts = " ".join(line for f in callers for line, _ in f.script())
    for needle in ("-", "Koch", "Sommer", "Becker", "Dr.", "Frau", "Herr", "ähm", "12a", "Am Hang", "Stock", "bei ", "Nein, Moment",
                   "doppel", "plus vier neun", "Angebot", "Kostenvoranschlag", "Auftragsnummer", "Vermieter", "ausrichten",
                   "richtig bei", "quote", "tell Mr"):
        assert needle in texts, needle


def test_numbers_are_said_the_ways_people_say_them_and_whisper_writes_them() -> None:
    assert spoken_number("01712345678", "de", "whisper_dots", 1) == "0171. 2, 3, 4, 5, 6, 7, 8"
    assert spoken_number("01711234567", "de", "pairs", 1) == "null eins sieben eins, zwölf, vierunddreißig, sechsundfünfzig, sieben"
    assert spoken_number("01713345678", "de", "doubles", 1).startswith("null eins sieben eins, doppel drei")
    assert spoken_number("+491712345678", "en", "plus", 3) in ("+49 171 2345678", "plus four nine, one seven one, two three four, five six seven eight")
    assert spoken_number("01712345678", "de", "corrected", 1).endswith("0171 2345678")


def test_the_simulated_caller_hears_what_was_asked_and_checks_the_read_back() -> None:
    assert asked("Vielen Dank. Wie ist Ihr Name, und unter welcher Nummer können wir Sie zurückrufen?") == "contact"
    assert asked("Alles klar. An welcher Adresse sollen wir vorbeikommen?") == "address"
    assert asked("Which number can we call you back on? You can also type it on your keypad, followed by the hash key.") == "number"
    readback = "Ich wiederhole Ihre Nummer: " + PhoneNumber("01712345678", ("0171", "234", "5678")).spoken_back("de") + ". Ist das richtig?"
    assert asked(readback) == "readback"
    assert heard_digits(readback) == "01712345678"
    assert same_number(heard_digits(readback), "+491712345678") and not same_number(heard_digits(readback), "01712345687")

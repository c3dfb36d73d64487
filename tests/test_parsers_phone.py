"""Phone numbers as Whisper writes them: digits, digit words, groups, international forms, and what is not a phone number."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.phone import PhoneNumber, correct_phone_number, find_phone_numbers, number_start, parse_phone_number

# --- phone numbers -----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "number"),
    [
        ("de", "0171 2345678", "01712345678"),
        ("de", "Meine Nummer ist 0171 2345678.", "01712345678"),
        ("de", "+49 30 1234567", "+49301234567"),
        ("de", "030/123 45 67", "0301234567"),
        ("de", "(030) 1234-567", "0301234567"),
        ("de", "0049 171 2345678", "+491712345678"),
        ("de", "+49 (0)30 1234567", "+49301234567"),
        ("de", "+49 030 1234567", "+49301234567"),
        ("de", "Rufen Sie mich unter 0151-12345678 an.", "015112345678"),
        ("de", "Meine Telefonnummer: 0171/2345678.", "01712345678"),
        ("de", "Ich bin unter 030 12345 67 erreichbar", "0301234567"),
        ("en", "+44 20 7946 0958", "+442079460958"),
        ("en", "Call me on 020 7946 0958", "02079460958"),
        ("en", "555-123-4567", "5551234567"),
        ("en", "1-800-555-1234", "18005551234"),
        ("de", "null eins sieben eins zwei drei vier fünf sechs sieben acht", "01712345678"),
        ("de", "Null eins sieben eins, zwo drei vier, fünf sechs sieben acht.", "01712345678"),
        ("de", "null eins sieben eins zwei drei vier fuenf sechs sieben acht", "01712345678"),
        ("de", "doppel null vier neun drei null eins zwei drei vier fünf sechs sieben", "+49301234567"),
        ("de", "Doppelnull vier neun, eins sieben eins, zwei drei vier fünf sechs sieben acht", "+491712345678"),
        ("de", "plus vier neun eins sieben eins zwei drei vier fünf sechs sieben", "+49171234567"),
        ("de", "0171 zwei drei vier fünf sechs sieben acht", "01712345678"),
        ("de", "null eins fünf eins, zweiunddreißig, vierundfünfzig, sechsundsiebzig", "0151325476"),
        ("en", "oh one seven one two three four five six seven eight", "01712345678"),
        ("en", "double five five, one two three, four five six seven", "5551234567"),
        ("en", "triple seven, two three four five six", "77723456"),
        ("en", "five five five, twenty three, forty five, sixty seven", "555234567"),
        ("en", "Oh, my number is 0171 2345678", "01712345678"),
        ("de", "Hauptstraße 12 0171 2345678", "01712345678"),
        ("de", "Meine Nummer ist 0171 2345678, ich wohne in der Hauptstraße 12, 10115 Berlin.", "01712345678"),
        ("de", "Nicht 0171 2345678, sondern 0171 2345679.", "01712345679"),
        ("de", "Tel. 0 17 1 23 45 67 8", "01712345678"),
    ],
)
def test_phone_number_is_found_and_normalised(language: str, text: str, number: str) -> None:
    found = parse_phone_number(text, language)
    assert found is not None
    assert found.number == number


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Hauptstraße 12, 10115 Berlin"),
        ("de", "Am 03.12.2026 um 14:30"),
        ("de", "am 3. Dezember um 14 Uhr"),
        ("de", "zwischen 8 und 10 Uhr"),
        ("de", "Meine Kundennummer ist 12345678"),
        ("de", "Das kostet 150 000 Euro"),
        ("de", "Baujahr 1998, 2005, 2010"),
        ("de", "12345"),
        ("de", "Ich habe 3 Heizkörper und 2 Bäder"),
        ("de", "Zimmer 12, 3. Stock"),
        ("de", "0171 2345678 9012 3456 78"),  # 18 digits: two numbers run together, not one
        ("de", "PLZ 10115"),
        ("en", "12 Baker Street, London SW1A 1AA"),
        ("en", "My zip code is 90210"),
        ("en", "between 8 and 10 on 12/03/2026"),
        ("de", "Ich heiße Peter Müller"),
    ],
)
def test_no_phone_number_in_addresses_dates_times_and_amounts(language: str, text: str) -> None:
    assert parse_phone_number(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "spoken"),
    [
        ("de", "0171 2345678", "null, eins, sieben, eins – zwo, drei, vier – fünf, sechs, sieben, acht"),
        ("en", "0171 2345678", "zero, one, seven, one. two, three, four. five, six, seven, eight"),
        ("de", "+49 30 1234567", "plus, vier, neun – drei, null – eins, zwo, drei – vier, fünf, sechs, sieben"),
        ("en", "555-123-4567", "five, five, five. one, two, three. four, five, six, seven"),
        ("de", "01712345678", "null, eins, sieben, eins – zwo, drei, vier – fünf, sechs, sieben, acht"),
    ],
)
def test_spoken_back_reads_digit_by_digit_in_groups(language: str, text: str, spoken: str) -> None:
    found = parse_phone_number(text, language)
    assert found is not None
    assert found.spoken_back(language) == spoken


def test_spoken_back_separator_is_configurable_and_groups_follow_the_caller() -> None:
    found = parse_phone_number("Meine Nummer ist 07700 900123", "en")
    assert found is not None
    assert found.groups == ("07700", "900", "123")
    assert found.spoken_back("en") == "zero, seven, seven, zero, zero. nine, zero, zero. one, two, three"
    assert found.spoken_back("en", group_separator=" – ") == "zero, seven, seven, zero, zero – nine, zero, zero – one, two, three"


def test_international_flag_and_country_code_group() -> None:
    found = parse_phone_number("0049 171 2345678", "de")
    assert found is not None and found.international
    assert found.groups[0] == "+49"
    national = parse_phone_number("0171 2345678", "de")
    assert national is not None and not national.international


def test_find_phone_numbers_returns_all_in_order() -> None:
    text = "Meine Nummer ist 0171 2345678 und meine Frau erreichen Sie unter 0172 3456789"
    assert [n.number for n in find_phone_numbers(text, "de")] == ["01712345678", "01723456789"]


# --- numbers as Whisper writes them at a caller's pauses, and as people say them ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "number"),
    [
        # Whisper ends a sentence where the caller paused after the area code (issue 10, defect 4).
        ("de", "Meine Nummer ist 0171. 2, 3, 4, 5, 6, 7, 8", "01712345678"),
        ("de", "Meine Nummer ist 0171. 2, 3, 4, 5, 6, 7, 8.", "01712345678"),
        ("de", "089. 3 3 3 4 4 4 4", "0893334444"),
        ("de", "Null eins sieben eins. Zwei drei vier. Fünf sechs sieben acht.", "01712345678"),
        ("de", "+49. 171 2345678", "+491712345678"),
        ("en", "My number is 07700. 900, 123.", "07700900123"),
        # "four" heard as "for" between digits.
        ("en", "020 79 for 6 0 958", "02079460958"),
        ("en", "It's 555123 for 567.", "5551234567"),
        # Pairs, doubles, plus.
        ("de", "Null eins fünf eins, zwölf, vierunddreißig, sechsundfünfzig, sieben", "01511234567"),
        ("de", "Das ist die 040, 12, 34, 56, 78.", "04012345678"),
        ("de", "null drei null, doppel drei, doppel vier, fünf fünf sechs", "0303344556"),
        ("de", "Plus vier neun, eins sieben zwei, zwei drei vier fünf sechs sieben acht", "+491722345678"),
        ("en", "triple-2, 3-3-4-4, oh one six one", "22233440161"),
        # Self-corrections in the same breath.
        ("de", "0171 234 567, nein, 568", "0171234568"),
        ("de", "0160 1234567, nein, Entschuldigung, die letzte ist eine acht.", "01601234568"),
        ("de", "0171 2345678, Entschuldigung, 0171 2345679", "01712345679"),
        ("de", "0171 2345678, ich meine 0171 2345679", "01712345679"),
        ("de", "0171 2345678, nicht 0171, sondern 0172", "01722345678"),
        ("en", "07811 223344, sorry, the last one is a five", "07811223345"),
    ],
)
def test_numbers_as_whisper_writes_them_and_people_say_them(language: str, text: str, number: str) -> None:
    found = parse_phone_number(text, language)
    assert found is not None, text
    assert found.number == number


@pytest.mark.parametrize(
    ("language", "text", "number"),
    [
        # A sentence that goes on after the number keeps its digits out.
        ("de", "Meine Nummer ist 089 123456. 3 Zimmer sind betroffen.", "089123456"),
        ("de", "0171 2345678. 2 Leute wohnen hier.", "01712345678"),
        # A second number is not a correction of the first.
        ("de", "0171 2345678 und meine Festnetznummer ist 089 123456", "01712345678"),
        # A correction of another field leaves the number alone.
        ("de", "0171 2345678, nein sorry, die Hausnummer ist 12", "01712345678"),
        ("en", "for 2 days, call 020 7946 0958", "02079460958"),
    ],
)
def test_pauses_and_corrections_do_not_swallow_other_numbers(language: str, text: str, number: str) -> None:
    found = parse_phone_number(text, language)
    assert found is not None and found.number == number


@pytest.mark.parametrize(
    ("language", "reply", "corrected"),
    [
        ("de", "Nein, die letzte ist eine acht.", "01712345678"),
        ("de", "Nein, am Ende 678.", "01712345678"),
        ("de", "Nicht 0172, sondern 0171.", "01712345677"),
        ("en", "No, the last one is an eight.", "01712345678"),
        ("en", "Sorry, the last two are seven eight", "01712345678"),
    ],
)
def test_a_read_back_answer_corrects_the_end_of_the_number(language: str, reply: str, corrected: str) -> None:
    heard = PhoneNumber("01722345677", ("0172", "234", "5677")) if "0172" in reply else PhoneNumber("01712345677", ("0171", "234", "5677"))
    fixed = correct_phone_number(heard, reply, language)
    assert fixed is not None and fixed.number == corrected


@pytest.mark.parametrize(("language", "reply"), [("de", "Ja, genau."), ("de", "Nein, die Hausnummer ist 12."), ("en", "No, it's 0171 2345678")])
def test_a_reply_that_corrects_no_digits_gives_none(language: str, reply: str) -> None:
    assert correct_phone_number(PhoneNumber("01712345677", ("0171", "234", "5677")), reply, language) is None


@pytest.mark.parametrize("text", ["0171 2345678, nein, am Montag um 9", "0171 2345678, sorry, at 5 please", "0171 2345678, nein, erst ab 8"])
def test_a_time_after_the_take_back_word_is_no_digit_correction(text: str) -> None:
    found = parse_phone_number(text, "de")
    assert found is not None and found.number == "01712345678"


@pytest.mark.parametrize(
    ("language", "text", "start"),
    [
        ("de", "Meine Nummer ist 0171.", "0171"),
        ("de", "Meine Nummer ist null eins sieben eins.", "0171"),
        ("de", "Null acht neun.", "089"),
        ("de", "Plus vier neun.", "+49"),
        ("en", "My number is 0 7 7 0 0.", "07700"),
        ("de", "Meine Nummer ist 0171 2345678.", None),  # a whole number: nothing waits for a rest
        ("de", "Hauptstraße 12.", None),  # a house number is no start of a phone number
        ("de", "Ja, das ist richtig.", None),
    ],
)
def test_the_start_of_a_number_said_alone(language: str, text: str, start: str | None) -> None:
    assert number_start(text, language) == start

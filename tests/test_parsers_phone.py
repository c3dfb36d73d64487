"""Phone numbers as Whisper writes them: digits, digit words, groups, international forms, and what is not a phone number."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.phone import find_phone_numbers, parse_phone_number

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
        ("en", "0171 2345678", "zero, one, seven, one – two, three, four – five, six, seven, eight"),
        ("de", "+49 30 1234567", "plus, vier, neun – drei, null – eins, zwo, drei – vier, fünf, sechs, sieben"),
        ("en", "555-123-4567", "five, five, five – one, two, three – four, five, six, seven"),
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
    assert found.spoken_back("en", group_separator=". ") == "zero, seven, seven, zero, zero. nine, zero, zero. one, two, three"


def test_international_flag_and_country_code_group() -> None:
    found = parse_phone_number("0049 171 2345678", "de")
    assert found is not None and found.international
    assert found.groups[0] == "+49"
    national = parse_phone_number("0171 2345678", "de")
    assert national is not None and not national.international


def test_find_phone_numbers_returns_all_in_order() -> None:
    text = "Meine Nummer ist 0171 2345678 und meine Frau erreichen Sie unter 0172 3456789"
    assert [n.number for n in find_phone_numbers(text, "de")] == ["01712345678", "01723456789"]

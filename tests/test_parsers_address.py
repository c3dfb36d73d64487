"""Addresses and postcodes: German and English street forms, PLZ and city, and utterances that hold no address."""

from __future__ import annotations

from datetime import datetime

import pytest

from voicebridge.dialogue.parsers.address import Address, parse_address
from voicebridge.dialogue.parsers.address_answer import address_from_answer
from voicebridge.dialogue.parsers.postcode import parse_postcode
from voicebridge.dialogue.parsers.when import DEFAULT_TIMEZONE

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE)  # a Wednesday


# --- postcodes and addresses -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "postcode"),
    [
        ("de", "Hauptstraße 12, 10115 Berlin", "10115"),
        ("de", "Ich wohne in 50667 Köln", "50667"),
        ("de", "Die PLZ ist 80331", "80331"),
        ("de", "Postleitzahl 01067", "01067"),
        ("de", "60311 Frankfurt am Main", "60311"),
        ("en", "10 Downing Street, London SW1A 2AA", "SW1A 2AA"),
        ("en", "my postcode is sw1a 1aa", "SW1A 1AA"),
        ("en", "Springfield, IL 62704", "62704"),
        ("en", "My zip code is 90210", "90210"),
    ],
)
def test_postcode_in_address_context(language: str, text: str, postcode: str) -> None:
    assert parse_postcode(text, language) == postcode


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Meine Nummer ist 030 12345 67"),
        ("de", "0171 12345 Danke"),
        ("de", "Das kostet 12345 Euro"),
        ("de", "Ich rufe wegen der Rechnung 12345 an"),
        ("en", "Call me on 555 12345"),
    ],
)
def test_no_postcode_without_address_context(language: str, text: str) -> None:
    assert parse_postcode(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "address"),
    [
        ("de", "Hauptstraße 12, 10115 Berlin", Address("Hauptstraße", "12", "10115", "Berlin")),
        ("de", "Am Markt 3a", Address("Am Markt", "3a")),
        ("de", "in der Bahnhofstr. 7, 80331 München", Address("Bahnhofstr.", "7", "80331", "München")),
        ("de", "Lindenweg 5 in 50667 Köln", Address("Lindenweg", "5", "50667", "Köln")),
        ("de", "Berliner Allee 10", Address("Berliner Allee", "10")),
        ("de", "Ich wohne in der Hauptstrasse 5a in Berlin", Address("Hauptstrasse", "5a", None, "Berlin")),
        ("de", "Konrad-Adenauer-Straße 3, 53113 Bonn", Address("Konrad-Adenauer-Straße", "3", "53113", "Bonn")),
        ("de", "An der Alster 5, 20099 Hamburg", Address("An der Alster", "5", "20099", "Hamburg")),
        ("de", "Meine Adresse ist Hauptstraße zwölf", Address("Hauptstraße", "12")),
        ("de", "Schillerplatz 4 in 60311 Frankfurt am Main", Address("Schillerplatz", "4", "60311", "Frankfurt am Main")),
        ("de", "wir wohnen am Markt 3 a", Address("Am Markt", "3a")),
        ("de", "Kurfürstendamm 21, Berlin", Address("Kurfürstendamm", "21", None, "Berlin")),
        ("en", "12 Baker Street, London", Address("Baker Street", "12", None, "London")),
        ("en", "221B Baker Street", Address("Baker Street", "221B")),
        ("en", "10 Downing Street, London SW1A 2AA", Address("Downing Street", "10", "SW1A 2AA", "London")),
        ("en", "1600 Pennsylvania Avenue, Washington, DC 20500", Address("Pennsylvania Avenue", "1600", "20500", "Washington")),
        ("de", "10115 Berlin", Address(None, None, "10115", "Berlin")),
    ],
)
def test_address_parts(language: str, text: str, address: Address) -> None:
    assert parse_address(text, language) == address


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Am Montag 10 Uhr"),
        ("de", "Ich bin auf dem Weg"),
        ("de", "Im Keller 3 Rohre"),
        ("de", "Frankfurt am Main"),
        ("de", "0171 2345678"),
        ("de", "Mein Arbeitsplatz ist weit weg"),
        ("en", "I have 2 boilers"),
    ],
)
def test_no_address(language: str, text: str) -> None:
    assert parse_address(text, language) is None


def test_address_one_line_in_each_language_order() -> None:
    german = Address("Hauptstraße", "12", "10115", "Berlin")
    english = Address("Baker Street", "221B", "NW1 6XE", "London")
    assert german.one_line("de") == "Hauptstraße 12, 10115 Berlin"
    assert english.one_line("en") == "221B Baker Street, London NW1 6XE"


@pytest.mark.parametrize(
    ("language", "text", "one_line"),
    [
        ("de", "Lindenstraße 12a, in München.", "Lindenstraße 12a, München"),
        ("de", "Lindenstraße 12 a in München", "Lindenstraße 12a, München"),
        ("de", "Am Hang 4, 80331 München.", "Am Hang 4, 80331 München"),
        # Postcode first, and as Whisper splits it.
        ("de", "80331 München, Sonnenstraße 5", "Sonnenstraße 5, 80331 München"),
        ("de", "80 3 3 1 München, Sonnenstraße 5", "Sonnenstraße 5, 80331 München"),
        ("de", "In 80331 München, in der Sonnenstraße 5.", "Sonnenstraße 5, 80331 München"),
        # Floor, building part, c/o.
        ("de", "Bahnhofstraße 7, dritter Stock, bei Müller.", "Bahnhofstraße 7, dritter Stock, bei Müller"),
        ("de", "Hauptstraße 12, 2. OG links, 10115 Berlin", "Hauptstraße 12, 2. OG links, 10115 Berlin"),
        ("de", "Hauptstraße 12, Hinterhaus, 3. Etage", "Hauptstraße 12, Hinterhaus, 3. Etage"),
        ("de", "Gartenweg 3, c/o Schneider, in Garching.", "Gartenweg 3, c/o Schneider, Garching"),
        ("de", "Wir wohnen in der Goethestraße 7, im Erdgeschoss.", "Goethestraße 7, im Erdgeschoss"),
        ("en", "Flat 2, 14 Mill Lane, Cambridge", "Flat 2, 14 Mill Lane, Cambridge"),
        ("en", "c/o Jane Smith, 10 Downing Street, London", "c/o Jane Smith, 10 Downing Street, London"),
        ("en", "Apartment 4B, 350 Fifth Avenue, New York, NY 10118", "Apartment 4B, 350 Fifth Avenue, New York 10118"),
    ],
)
def test_address_forms_callers_use(language: str, text: str, one_line: str) -> None:
    address = parse_address(text, language)
    assert address is not None and address.one_line(language) == one_line


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", "Hauptstraße 12, das ist in Ordnung."), ("de", "Hauptstraße 12, bei uns im Keller."), ("de", "Hauptstraße 12, das Wasser steht in der Küche.")],
)
def test_words_after_the_address_are_not_its_town_or_detail(language: str, text: str) -> None:
    address = parse_address(text, language)
    assert address == Address("Hauptstraße", "12")


# --- the answer to the address question (issue 10, defect 5: the slot must not swallow any answer) ----------------------------------


@pytest.mark.parametrize(
    ("language", "text", "stored"),
    [
        ("de", "Hauptstraße 12, 80331 München", "Hauptstraße 12, 80331 München"),
        ("de", "Nein, Hauptstraße 14.", "Hauptstraße 14"),
        ("de", "Ja, Dorf Strasse Ende 3, Garching", "Dorf Strasse Ende 3, Garching"),  # misheard, kept as said
        ("en", "Number 12, Hillside, Oxford", "Number 12, Hillside, Oxford"),
        ("en", "221B Baker Street, London", "221B Baker Street, London"),
    ],
)
def test_an_address_answer_is_stored(language: str, text: str, stored: str) -> None:
    assert address_from_answer(text, language, NOW) == stored


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Am besten nächste Woche Dienstag vormittags."),
        ("de", "Am besten nächste Woche Dienstag vor Mittags."),  # as Whisper wrote it at 8 kHz
        ("de", "Möglichst bald bitte, es tropft schon."),
        ("de", "Ja."),
        ("de", "Ja, genau."),
        ("de", "0171 2345678"),
        ("de", "Koch."),
        ("de", "Wie bitte?"),
        ("de", "Das weiß ich nicht."),
        ("de", "Kann ich bitte mit einem Mitarbeiter sprechen?"),
        ("en", "Ideally next Tuesday in the morning."),
        ("en", "As soon as possible, please."),
        ("en", "Sorry, could you repeat that?"),
    ],
)
def test_an_answer_that_is_something_else_is_no_address(language: str, text: str) -> None:
    assert address_from_answer(text, language, NOW) is None


@pytest.mark.parametrize(
    ("text", "one_line"),
    [("221 B Baker Street, London", "221B Baker Street, London"), ("42 station road, Oxford.", "42 Station Road, Oxford")],
)
def test_english_addresses_as_whisper_writes_them(text: str, one_line: str) -> None:
    address = parse_address(text, "en")
    assert address is not None and address.one_line("en") == one_line

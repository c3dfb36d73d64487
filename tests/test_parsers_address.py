"""Addresses and postcodes: German and English street forms, PLZ and city, and utterances that hold no address."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.address import Address, parse_address
from voicebridge.dialogue.parsers.postcode import parse_postcode

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

"""Caller names and companies from self-introductions, with the sentences that hold none."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.names import parse_company, parse_name

# --- names and companies -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "name"),
    [
        ("de", "Mein Name ist Peter Müller", "Peter Müller"),
        ("de", "mein name ist peter müller", "Peter Müller"),
        ("de", "Hier ist Frau Schmidt", "Frau Schmidt"),
        ("de", "Ich bin der Hans Meier von der Firma Meier GmbH", "Hans Meier"),
        ("de", "Müller hier", "Müller"),
        ("de", "Ja hallo, Schmidt am Apparat.", "Schmidt"),
        ("de", "Guten Tag, hier spricht Dr. Klaus Weber.", "Dr. Klaus Weber"),
        ("de", "Ich heiße Anna Mueller und wohne in Köln", "Anna Mueller"),
        ("de", "Hallo, hier ist Peter Müller, ich rufe wegen der Heizung an", "Peter Müller"),
        ("en", "This is John Smith", "John Smith"),
        ("en", "my name is Anna Lee", "Anna Lee"),
        ("en", "John Smith speaking", "John Smith"),
        ("en", "Hi, I'm Sarah O'Brien from Acme Ltd", "Sarah O'Brien"),
        ("en", "Hello, this is Mr. Jones calling about my boiler", "Mr. Jones"),
    ],
)
def test_name_from_self_introduction(language: str, text: str, name: str) -> None:
    assert parse_name(text, language) == name


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Hier ist die Heizung kaputt"),
        ("de", "Das Wasser hier läuft überall"),
        ("de", "Ich bin Mieter in der Hauptstraße"),
        ("de", "Guten Morgen, ich habe einen Rohrbruch"),
        ("en", "I'm calling about my boiler"),
        ("en", "This is urgent"),
        ("en", "Hi, it's Monday"),
    ],
)
def test_no_name(language: str, text: str) -> None:
    assert parse_name(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "company"),
    [
        ("de", "Ich bin der Hans Meier von der Firma Meier GmbH", "Meier GmbH"),
        ("de", "von der Firma Schulz Haustechnik", "Schulz Haustechnik"),
        ("de", "Müller & Söhne GmbH", "Müller & Söhne GmbH"),
        ("de", "Schmidt GmbH & Co. KG ruft an", "Schmidt GmbH & Co. KG"),
        ("de", "Hier ist die Hausverwaltung Krause AG", "Hausverwaltung Krause AG"),
        ("en", "from Acme Ltd", "Acme Ltd"),
        ("en", "This is John Smith of Smith & Sons Ltd", "Smith & Sons Ltd"),
        ("en", "I work for Globex Inc.", "Globex Inc."),
    ],
)
def test_company(language: str, text: str, company: str) -> None:
    assert parse_company(text, language) == company


@pytest.mark.parametrize(("language", "text"), [("de", "Mein Name ist Peter Müller"), ("en", "This is John Smith from London")])
def test_no_company(language: str, text: str) -> None:
    assert parse_company(text, language) is None


def test_name_before_mein_name() -> None:
    assert parse_name("Grüß Gott, Brandl mein Name.", "de") == "Brandl"


def test_surnames_that_are_also_words_after_a_first_name_or_title() -> None:
    # Found by the generated conversation callers (dev part): "Keller", "Sommer", "Winter" were kept out of every name.
    assert parse_name("Guten Tag, hier ist Martina Keller. Bei mir tropft der Wasserhahn.", "de") == "Martina Keller"
    assert parse_name("Frau Sommer hier.", "de") == "Frau Sommer"
    assert parse_name("Hier ist Wasser im Keller.", "de") is None


@pytest.mark.parametrize(
    ("language", "text", "name", "company"),
    [
        ("de", "Guten Tag, hier ist Martina Keller. Bei uns tropft der Wasserhahn.", "Martina Keller", None),
        ("de", "Ja hallo, hier ist Frau Roth vom Fliesenhandel Roth.", "Frau Roth", "Fliesenhandel Roth"),
        ("de", "Hier spricht Dr. Weber von der Hausverwaltung Schulz.", "Dr. Weber", "Hausverwaltung Schulz"),
        ("de", "Hier ist Peter Müller von Siemens.", "Peter Müller", "Siemens"),
        ("de", "Doktor Sommer am Apparat.", "Doktor Sommer", None),
        ("de", "Mein Name ist Sommer.", "Sommer", None),
        ("de", "Hier ist Frau von Bülow.", "Frau von Bülow", None),
        ("de", "Mein Name ist Ayşe Yılmaz.", "Ayşe Yılmaz", None),
        ("en", "It's Mrs Kaczmarek from Kaczmarek Builders.", "Mrs Kaczmarek", "Kaczmarek Builders"),
        ("en", "Hi, this is Sarah O'Brien.", "Sarah O'Brien", None),
        ("en", "This is John Smith from London", "John Smith", None),
    ],
)
def test_names_that_are_words_and_companies_after_the_name(language: str, text: str, name: str, company: str | None) -> None:
    assert parse_name(text, language) == name
    assert parse_company(text, language) == company


@pytest.mark.parametrize(("language", "text"), [("de", "Ich bin im Keller."), ("de", "Hier ist der Keller voll Wasser."), ("de", "Im Sommer ist es warm.")])
def test_word_surnames_need_a_name_context(language: str, text: str) -> None:
    assert parse_name(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "name", "company"),
    [
        ("en", "My name is Thomas Becker from the Green Dental Practice.", "Thomas Becker", "Green Dental Practice"),
        ("de", "Guten Tag, hier ist Thomas Becker von der Keller Immobilien GmbH.", "Thomas Becker", "Keller Immobilien GmbH"),
        ("de", "Guten Tag, hier ist Thomas Becker von der Kanzlei Braun und Partner.", "Thomas Becker", "Kanzlei Braun und Partner"),
        ("de", "Hier ist Peter Müller von Siemens und ich habe ein Problem.", "Peter Müller", "Siemens"),
        ("de", "Hier ist Anna Vogel von der Praxis Dr. Brandt, es geht um das Waschbecken.", "Anna Vogel", "Praxis Dr. Brandt"),  # a title's dot
        ("de", "mein name ist thomas becker aus münchen", "Thomas Becker", None),
    ],
)
def test_a_lenient_name_ends_before_where_the_caller_is_from(language: str, text: str, name: str, company: str | None) -> None:
    assert parse_name(text, language) == name
    assert parse_company(text, language) == company

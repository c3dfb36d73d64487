"""Rule-based call-note parsers on utterances as Whisper writes them, German and English, positive and negative cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voicebridge.dialogue.parsers import (
    Address,
    find_phone_numbers,
    is_goodbye,
    is_no,
    is_yes,
    parse_address,
    parse_company,
    parse_correction,
    parse_name,
    parse_phone_number,
    parse_postcode,
    parse_urgency,
    parse_when,
    wants_person,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)  # a Wednesday


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


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


# --- dates and times ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "start", "end"),
    [
        ("de", "morgen Vormittag", at(26, 8), at(26, 12)),
        ("de", "übermorgen", at(27, 8), at(27, 20)),
        ("de", "uebermorgen", at(27, 8), at(27, 20)),
        ("de", "heute Nachmittag", at(25, 12), at(25, 17)),
        ("de", "heute Vormittag", NOW, at(25, 12)),
        ("de", "am Montag", at(30, 8), at(30, 20)),
        ("de", "am Mittwoch", at(2, 8, month=12), at(2, 20, month=12)),  # today is Wednesday: the next one
        ("de", "nächsten Dienstag", at(1, 8, month=12), at(1, 20, month=12)),
        ("de", "Dienstag nächste Woche", at(1, 8, month=12), at(1, 20, month=12)),
        ("de", "übernächsten Dienstag", at(8, 8, month=12), at(8, 20, month=12)),
        ("de", "Freitag ab 14 Uhr", at(27, 14), at(27, 20)),
        ("de", "Freitag nachmittag ab 14 Uhr", at(27, 14), at(27, 17)),
        ("de", "zwischen 8 und 10 Uhr", at(26, 8), at(26, 10)),  # already over today
        ("de", "morgen zwischen 9 und 11", at(26, 9), at(26, 11)),
        ("de", "14-16 Uhr", at(25, 14), at(25, 16)),
        ("de", "um 14:30", at(25, 14, 30), at(25, 15, 30)),
        ("de", "um halb drei", at(25, 14, 30), at(25, 15, 30)),
        ("de", "morgen um 3", at(26, 15), at(26, 16)),
        ("de", "heute Abend um 7", at(25, 19), at(25, 20)),
        ("de", "morgen früh um 7", at(26, 7), at(26, 8)),
        ("de", "bis 12 Uhr", NOW, at(25, 12)),
        ("de", "am 3. Dezember", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am dritten Dezember", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am 03.12.", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am 1. Januar", at(1, 8, month=1, year=2027), at(1, 20, month=1, year=2027)),  # past this year: next year
        ("de", "am 3.1.", at(3, 8, month=1, year=2027), at(3, 20, month=1, year=2027)),
        ("de", "diese Woche", NOW, at(30, 0)),
        ("de", "nächste Woche", at(30, 0), at(7, 0, month=12)),
        ("de", "am Wochenende", at(28, 0), at(30, 0)),
        ("de", "in zwei Tagen", at(27, 8), at(27, 20)),
        ("de", "Nicht morgen, sondern übermorgen", at(27, 8), at(27, 20)),
        ("de", "heute oder morgen", NOW, at(25, 20)),
        ("en", "tomorrow morning", at(26, 8), at(26, 12)),
        ("en", "this afternoon", at(25, 12), at(25, 17)),
        ("en", "on Monday", at(30, 8), at(30, 20)),
        ("en", "next Tuesday", at(1, 8, month=12), at(1, 20, month=12)),
        ("en", "Tuesday after next", at(8, 8, month=12), at(8, 20, month=12)),
        ("en", "between 8 and 10", at(26, 8), at(26, 10)),
        ("en", "after 2 pm", at(25, 14), at(25, 20)),
        ("en", "from 10 to 2", NOW, at(25, 14)),
        ("en", "by 5", NOW, at(25, 17)),
        ("en", "at noon", at(25, 12), at(25, 13)),
        ("en", "tonight", at(25, 17), at(25, 20)),
        ("en", "December 3rd", at(3, 8, month=12), at(3, 20, month=12)),
        ("en", "the third of December", at(3, 8, month=12), at(3, 20, month=12)),
        ("en", "sometime next week", at(30, 0), at(7, 0, month=12)),
    ],
)
def test_when_resolves_against_now(language: str, text: str, start: datetime, end: datetime) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None
    assert (window.start, window.end) == (start, end)
    assert not window.asap


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("de", "ab sofort", "so schnell wie möglich"),
        ("de", "so schnell wie möglich", "so schnell wie möglich"),
        ("de", "bitte schnellstmöglich", "so schnell wie möglich"),
        ("en", "as soon as possible", "as soon as possible"),
        ("en", "ASAP please", "as soon as possible"),
    ],
)
def test_asap_alone_means_the_rest_of_today(language: str, text: str, label: str) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None and window.asap
    assert (window.start, window.end, window.label) == (NOW, at(26, 0), label)


def test_asap_with_a_day_keeps_the_day_and_the_flag() -> None:
    window = parse_when("so schnell wie möglich, am besten morgen Vormittag", "de", NOW)
    assert window is not None and window.asap
    assert (window.start, window.end) == (at(26, 8), at(26, 12))
    assert window.label == "so schnell wie möglich, Do 26.11., 08:00–12:00 Uhr"


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("de", "morgen Vormittag", "Do 26.11., 08:00–12:00 Uhr"),
        ("de", "nächste Woche", "Mo 30.11. – So 06.12."),
        ("de", "am 1. Januar", "Fr 01.01.2027, 08:00–20:00 Uhr"),
        ("de", "heute Nacht", "Mi 25.11., 20:00–24:00 Uhr"),
        ("en", "tomorrow morning", "Thu 26 Nov, 08:00–12:00"),
    ],
)
def test_when_label(language: str, text: str, label: str) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None
    assert window.label == label


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Guten Morgen, hier ist Müller"),
        ("de", "Guten Abend"),
        ("de", "Hauptstraße 10, bitte"),
        ("de", "Meine Nummer ist 0171 2345678"),
        ("de", "gestern Abend ist das Rohr geplatzt"),
        ("de", "Die Heizung ist seit Montag kaputt"),
        ("de", "vor 2 Wochen"),
        ("de", "Ich habe seit 3 Tagen kein Warmwasser"),
        ("en", "at 12 Baker Street"),
        ("en", "Good afternoon, this is John"),
        ("de", "Wir haben einen Rohrbruch"),
    ],
)
def test_no_time_window(language: str, text: str) -> None:
    assert parse_when(text, language, NOW) is None


def test_when_keeps_local_wall_clock_across_dst() -> None:
    friday_before_dst = datetime(2027, 3, 26, 9, 0, tzinfo=BERLIN)
    window = parse_when("am Sonntag um 10 Uhr", "de", friday_before_dst)
    assert window is not None
    assert window.start == datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN)
    assert window.start.utcoffset() == timedelta(hours=2)


def test_naive_now_is_taken_as_berlin() -> None:
    window = parse_when("morgen Vormittag", "de", datetime(2026, 11, 25, 10, 0))
    assert window is not None
    assert window.start == at(26, 8)
    assert window.start.tzinfo is not None


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


# --- urgency -----------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "level", "reason"),
    [
        ("de", "Wir haben einen Wasserrohrbruch!", "emergency", "Wasserrohrbruch"),
        ("de", "Rohrbruch im Keller", "emergency", "Rohrbruch"),
        ("de", "Es riecht nach Gas", "emergency", "riecht nach Gas"),
        ("de", "Es riecht stark nach Gas im Keller", "emergency", "riecht stark nach Gas"),
        ("de", "Gasgeruch im Treppenhaus", "emergency", "Gasgeruch"),
        ("de", "Das Wasser läuft", "emergency", "Wasser läuft"),
        ("de", "Ueberschwemmung im Bad", "emergency", "Ueberschwemmung"),
        ("de", "Die Heizung ist ausgefallen", "emergency", "Heizung ist ausgefallen"),
        ("de", "Heizung ausgefallen", "emergency", "Heizung ausgefallen"),
        ("de", "Stromausfall im ganzen Haus", "emergency", "Stromausfall"),
        ("de", "Kurzschluss in der Küche", "emergency", "Kurzschluss"),
        ("de", "Es gibt einen Brand", "emergency", "Brand"),
        ("de", "Kein Rohrbruch, aber es riecht nach Gas", "emergency", "riecht nach Gas"),
        ("en", "We have a burst pipe", "emergency", "burst pipe"),
        ("en", "I can smell gas", "emergency", "smell gas"),
        ("en", "There's flooding in the basement", "emergency", "flooding"),
        ("en", "We have no heating", "emergency", "no heating"),
        ("en", "power cut in the whole building", "emergency", "power cut"),
        ("de", "Es ist dringend", "soon", "dringend"),
        ("de", "Bitte heute noch", "soon", "heute noch"),
        ("de", "so schnell wie möglich bitte", "soon", "so schnell wie möglich"),
        ("de", "Kein Notfall, aber dringend", "soon", "dringend"),
        ("en", "It's urgent", "soon", "urgent"),
        ("en", "asap please", "soon", "asap"),
        ("de", "nicht dringend", "no_rush", "nicht dringend"),
        ("de", "Es ist nicht so dringend", "no_rush", "nicht so dringend"),
        ("de", "Keine Eile, hat Zeit", "no_rush", "Keine Eile"),
        ("en", "It's not an emergency, no rush", "no_rush", "no rush"),
        ("en", "whenever suits you", "no_rush", "whenever"),
    ],
)
def test_urgency_level_and_reason(language: str, text: str, level: str, reason: str) -> None:
    urgency = parse_urgency(text, language, ())
    assert (urgency.level, urgency.reason) == (level, reason)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Es ist kein Notfall"),
        ("de", "Es riecht nicht nach Gas"),
        ("de", "Die Heizung ist nicht ausgefallen"),
        ("de", "Das Wasser läuft nicht ab"),
        ("de", "Notfalls kann ich auch morgen"),
        ("de", "Ich wohne in Brandenburg"),
        ("de", "Ich brauche einen Termin für die Wartung"),
        ("en", "no emergency"),
        ("en", "There's no gas smell"),
        ("en", "I'd like a quote for a new boiler"),
    ],
)
def test_no_emergency_on_negations_or_lookalikes(language: str, text: str) -> None:
    assert parse_urgency(text, language, ()).level == "unknown"


def test_configured_emergency_keywords_count_and_can_be_negated() -> None:
    keywords = ["Heizkessel leckt", "Aufzug"]
    assert parse_urgency("Der Heizkessel leckt", "de", keywords).level == "emergency"
    assert parse_urgency("Jemand steckt im Personenaufzug fest", "de", keywords).level == "emergency"
    assert parse_urgency("Der Heizkessel leckt", "de", ()).level == "unknown"
    assert parse_urgency("Kein Aufzug betroffen", "de", keywords).level == "unknown"


# --- corrections and short replies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nein, die Nummer ist 0171 2345679", True),
        ("Moment, falsch", True),
        ("no, it's 0171 2345678", True),
        ("sorry, I meant seven", True),
        ("Nein, Müller mit ü", True),
        ("Nicht 0171, sondern 0172", True),
        ("Actually, it's Smith", True),
        ("Ich habe mich versprochen, die letzte Ziffer ist eine Neun", True),
        ("Nein.", False),
        ("Nein, danke", False),
        ("No, that's all", False),
        ("ja genau", False),
        ("Das ist nicht falsch", False),
        ("Einen Moment bitte", False),
    ],
)
def test_correction(text: str, expected: bool) -> None:
    assert parse_correction(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kann ich mit einem Mitarbeiter sprechen?", True),
        ("Ich möchte einen Menschen", True),
        ("Ich will mit jemandem sprechen", True),
        ("Verbinden Sie mich bitte mit Herrn Meier", True),
        ("operator", True),
        ("I want a real person", True),
        ("can I speak to someone", True),
        ("Ihr Mitarbeiter war gestern da", False),
        ("Sie müssen mich nicht verbinden", False),
        ("Die Heizung ist kaputt", False),
    ],
)
def test_wants_person(text: str, expected: bool) -> None:
    assert wants_person(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tschüss!", True),
        ("Auf Wiederhören", True),
        ("Danke, das war's", True),
        ("bye", True),
        ("that's all, thanks", True),
        ("Das war's noch nicht", False),
        ("Hallo", False),
        ("Ich habe eine Frage", False),
    ],
)
def test_goodbye(text: str, expected: bool) -> None:
    assert is_goodbye(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "yes", "no"),
    [
        ("Ja", True, False),
        ("ja, genau", True, False),
        ("Richtig.", True, False),
        ("stimmt", True, False),
        ("korrekt", True, False),
        ("Okay", True, False),
        ("yes", True, False),
        ("correct", True, False),
        ("that's right", True, False),
        ("No problem", True, False),
        ("Nein", False, True),
        ("falsch", False, True),
        ("Ne", False, True),
        ("no", False, True),
        ("wrong", False, True),
        ("nope", False, True),
        ("stimmt nicht", False, True),
        ("nicht richtig", False, True),
        ("Das ist nicht korrekt", False, True),
        ("Ja, aber die letzte Ziffer ist falsch", False, True),
        ("Hm", False, False),
        ("Wie bitte?", False, False),
    ],
)
def test_yes_and_no_for_a_read_back(text: str, yes: bool, no: bool) -> None:
    assert (is_yes(text, "de"), is_no(text, "de")) == (yes, no)


def test_short_replies_work_whatever_language_whisper_guessed() -> None:
    assert is_yes("Genau", "en") and is_no("No", "de-DE")
    assert is_goodbye("Bye!", "de") and is_goodbye("Tschüss", "en")


def test_not_so_urgent_is_no_rush() -> None:
    # Found by the conversation suite: "nicht so eilig" negated "eilig" but matched nothing.
    assert parse_urgency("Nicht so eilig.", "de").level == "no_rush"
    assert parse_urgency("Das ist nicht besonders eilig", "de").level == "no_rush"


def test_name_before_mein_name() -> None:
    assert parse_name("Grüß Gott, Brandl mein Name.", "de") == "Brandl"


def test_gas_smell_further_from_the_verb() -> None:
    # "riecht … nach Gas" allows three words between; callers put the place in between.
    assert parse_urgency("Es riecht bei uns im Treppenhaus stark nach Gas.", "de").level == "emergency"

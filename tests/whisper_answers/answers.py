"""What callers answer to the agent's questions, with the parse each answer must give: the script for `record.py`.

A regression set written while the parsers were fixed (not a held-out measure); `parts` are said with a pause between them.
Times resolve against NOW, a Wednesday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class Answer:
    key: str
    language: str
    field: str  # phone / address / name / company / when / urgency / intent
    parts: tuple[str, ...]  # said one after another with a pause, as callers group a number
    expected: Any


def _a(key: str, language: str, field: str, expected: Any, *parts: str) -> Answer:
    return Answer(key, language, field, parts, expected)


ANSWERS: tuple[Answer, ...] = (
    # --- "Unter welcher Nummer können wir Sie zurückrufen?" ---------------------------------------------------------------------
    _a("de-mobile-digits-paused", "de", "phone", "01712345678", "Meine Nummer ist null eins sieben eins.", "zwei, drei, vier, fünf, sechs, sieben, acht."),
    _a("de-munich-paused", "de", "phone", "0893334444", "Null acht neun.", "drei drei drei vier vier vier vier."),
    _a("de-digit-by-digit", "de", "phone", "01761234567", "null eins sieben sechs eins zwei drei vier fünf sechs sieben"),
    _a("de-pairs", "de", "phone", "01511234567", "Null eins fünf eins.", "zwölf, vierunddreißig, sechsundfünfzig, sieben."),
    _a("de-double", "de", "phone", "0303344556", "Null drei null, doppel drei, doppel vier, fünf fünf sechs."),
    _a("de-plus49", "de", "phone", "+491722345678", "Plus vier neun, eins sieben zwei.", "zwei drei vier fünf sechs sieben acht."),
    _a("de-groups", "de", "phone", "069123456", "Null sechs neun.", "eins zwei drei.", "vier fünf sechs."),
    _a(
        "de-correction",
        "de",
        "phone",
        "01601234568",
        "Null eins sechs null, eins zwei drei vier fünf sechs sieben, nein, Entschuldigung, die letzte ist eine acht.",
    ),
    _a(
        "de-corrected-whole",
        "de",
        "phone",
        "01709876543",
        "Null eins sieben null, neun acht sieben, äh nein, null eins sieben null neun acht sieben sechs fünf vier drei.",
    ),
    _a("de-landline-words", "de", "phone", "04012345678", "Das ist die null vierzig, zwölf, vierunddreißig, sechsundfünfzig, achtundsiebzig."),
    _a("de-mobile-sentence", "de", "phone", "015223344556", "Am besten auf dem Handy, null eins fünf zwei, zwei drei drei vier, vier fünf fünf sechs."),
    # --- "Which number can we call you back on?" --------------------------------------------------------------------------------
    _a("en-uk-mobile", "en", "phone", "07700900123", "My number is oh seven seven double oh,", "nine double oh, one two three."),
    _a("en-digits-paused", "en", "phone", "02079460958", "Zero two zero.", "seven nine four six.", "zero nine five eight."),
    _a("en-plus44", "en", "phone", "+447911123456", "Plus four four, seven nine one one,", "one two three, four five six."),
    _a("en-us", "en", "phone", "5551234567", "It's five five five, one two three, four five six seven."),
    _a("en-triple", "en", "phone", "01612223344", "Oh one six one, triple two, three three four four."),
    _a("en-correction", "en", "phone", "07811223345", "Oh seven eight one one, two two three three four four, sorry, the last one is a five."),
    _a(
        "de-number-sentence",
        "de",
        "phone",
        "017612345678",
        "Ja, also meine Handynummer ist null eins sieben sechs, eins zwei drei vier, fünf sechs sieben acht.",
    ),
    # --- "An welcher Adresse sollen wir vorbeikommen?" --------------------------------------------------------------------------
    _a("de-street-a", "de", "address", "Lindenstraße 12a, München", "Lindenstraße zwölf a, in München."),
    _a("de-am-hang", "de", "address", "Am Hang 4, 80331 München", "Am Hang vier, achtzig drei drei eins München."),
    _a("de-plz-first", "de", "address", "Sonnenstraße 5, 80331 München", "Achtzig drei drei eins München, Sonnenstraße fünf."),
    _a("de-plain", "de", "address", "Goethestraße 7, 85748 Garching", "Goethestraße sieben, acht fünf sieben vier acht Garching."),
    _a("de-floor", "de", "address", "Bahnhofstraße 7, dritter Stock, bei Müller", "Bahnhofstraße sieben, dritter Stock, bei Müller."),
    _a("de-ground-floor", "de", "address", "Kirchweg 2, im Erdgeschoss", "Kirchweg zwei, im Erdgeschoss."),
    _a("de-co", "de", "address", "Gartenweg 3, bei Schneider, Garching", "Gartenweg drei, bei Schneider, in Garching."),
    _a("de-window-not-address", "de", "address", None, "Am besten nächste Woche Dienstag vormittags."),
    _a("de-urgency-not-address", "de", "address", None, "Möglichst bald bitte, es tropft schon."),
    # --- "What is the address where we should come?" ----------------------------------------------------------------------------
    _a("en-street", "en", "address", "221B Baker Street, London", "Two twenty one B Baker Street, London."),
    _a("en-flat", "en", "address", "Flat 2, 14 Mill Lane, Cambridge", "Flat two, fourteen Mill Lane, Cambridge."),
    _a("en-road", "en", "address", "42 Station Road, Oxford", "Forty two Station Road, Oxford."),
    _a("en-window-not-address", "en", "address", None, "Ideally next Tuesday in the morning."),
    # --- names ------------------------------------------------------------------------------------------------------------------
    _a("de-name-first-sentence", "de", "name", "Martina Keller", "Guten Tag, hier ist Martina Keller. Bei uns tropft der Wasserhahn."),
    _a("de-name-company", "de", "name", "Frau Roth", "Ja hallo, hier ist Frau Roth vom Fliesenhandel Roth."),
    _a("de-company", "de", "company", "Fliesenhandel Roth", "Ja hallo, hier ist Frau Roth vom Fliesenhandel Roth."),
    _a("de-spelled", "de", "name", "Kowalski", "Kowalski.", "K, O, W, A, L, S, K, I."),
    _a("de-spelled-alphabet", "de", "name", "Kowa", "K wie Konrad, O wie Otto, W wie Wilhelm, A wie Anton."),
    _a("de-surname-first", "de", "name", "Elfriede Hartmann", "Hartmann, Elfriede."),
    _a("de-bare", "de", "name", "Meier", "Ja, Meier."),
    _a("de-name-becker", "de", "name", "Thomas Becker", "Becker, Thomas Becker."),
    _a("de-name-turkish", "de", "name", "Ayşe Yılmaz", "Mein Name ist Ayşe Yılmaz."),
    _a("de-name-koch", "de", "name", "Herr Koch", "Ja, Koch, Herr Koch."),
    _a("de-name-double", "de", "name", "Anna Müller-Lüdenscheidt", "Anna Müller-Lüdenscheidt."),
    _a("de-name-dr", "de", "name", "Dr. Sommer", "Doktor Sommer am Apparat."),
    _a("en-name", "en", "name", "Sarah O'Brien", "Hi, this is Sarah O'Brien."),
    _a("en-name-polish", "en", "name", "Piotr Nowak", "My name is Piotr Nowak."),
    _a("en-bare", "en", "name", "John Smith", "John Smith."),
    # --- "Wann passt es Ihnen am besten?" ---------------------------------------------------------------------------------------
    _a("de-window", "de", "when", "Di 01.12., 08:00–12:00 Uhr", "Am besten nächste Woche Dienstag vormittags."),
    _a("de-window-clock", "de", "when", "Do 26.11., 14:00–16:00 Uhr", "Morgen zwischen zwei und vier."),
    _a("en-window", "en", "when", "Tue 1 Dec, 08:00–12:00", "Ideally next Tuesday in the morning."),
    # --- "Wie dringend ist es?" -------------------------------------------------------------------------------------------------
    _a("de-soon", "de", "urgency", "soon", "Möglichst bald."),
    _a("de-this-week", "de", "urgency", "soon", "Diese Woche noch, wenn es geht."),
    _a("de-next-days", "de", "urgency", "soon", "In den nächsten Tagen wäre gut."),
    _a("de-ceiling", "de", "urgency", "emergency", "Bei uns kommt Wasser durch die Decke."),
    _a("de-toilet", "de", "urgency", "emergency", "Die Toilette läuft über und hört nicht mehr auf."),
    _a("en-quite-soon", "en", "urgency", "soon", "Quite soon, please."),
    _a("en-baby", "en", "urgency", "soon", "As soon as possible, I have a baby at home."),
    _a("en-ceiling", "en", "urgency", "emergency", "Water is coming through the ceiling."),
    # --- what the call is about ---------------------------------------------------------------------------------------------------
    _a("de-quote", "de", "intent", "quote", "Ich hätte gern ein Angebot für ein neues Bad."),
    _a("de-estimate", "de", "intent", "quote", "Können Sie mir einen Kostenvoranschlag machen?"),
    _a("en-quote", "en", "intent", "quote", "I'd like a quote for a new boiler."),
    _a("de-follow-up", "de", "intent", "follow_up", "Es geht um meinen Auftrag, die Auftragsnummer ist vier fünf sechs sieben acht."),
    _a("de-invoice", "de", "intent", "follow_up", "Ich rufe wegen der Rechnung an, Rechnungsnummer zwei null zwei sechs eins zwei drei."),
    _a("en-order", "en", "intent", "follow_up", "I'm calling about my order, the order number is one two three four five."),
    _a("de-message", "de", "intent", "message", "Richten Sie Herrn Huber aus, dass die Heizkörper angekommen sind."),
    _a("en-message", "en", "intent", "message", "Could you tell Mr Huber that the radiators have arrived?"),
)


def parse_field(field: str, text: str, language: str) -> Any:
    """What the parsers make of one answer, in the form `Answer.expected` uses (None when nothing was found)."""
    from voicebridge.dialogue import parsers

    if field == "phone":
        number = parsers.parse_phone_number(text, language)
        return number.number if number else None
    if field == "address":
        return parsers.address_from_answer(text, language, NOW)
    if field == "name":
        return parsers.parse_name_answer(text, language)
    if field == "company":
        return parsers.parse_company(text, language)
    if field == "when":
        window = parsers.parse_when(text, language, NOW)
        return window.label if window else None
    if field == "urgency":
        return parsers.parse_urgency(text, language).level
    if field == "intent":
        return parsers.detect_intent(text, language)
    raise ValueError(f"unknown field {field}")

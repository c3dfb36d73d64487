"""Intents beyond the fields: quote requests, follow-ups on an existing job with their reference number, messages for a named person."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.intent import (
    Message,
    Reference,
    asks_to_pass_on,
    detect_intent,
    is_complaint,
    is_quote_request,
    names_quote,
    parse_message,
    parse_reference,
)


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("de", "Ich hätte gern ein Angebot für ein neues Bad.", "quote"),
        ("de", "Können Sie mir einen Kostenvoranschlag machen?", "quote"),
        ("de", "Was würde denn so eine Wärmepumpe ungefähr kosten?", "quote"),
        ("de", "Ich bräuchte ein unverbindliches Angebot für die Dachrinne.", "quote"),
        ("en", "I'd like a quote for a new boiler.", "quote"),
        ("en", "Could you give me an estimate for a bathroom?", "quote"),
        ("en", "How much would it be to replace the radiators?", "quote"),
        ("de", "Es geht um meinen Auftrag, die Auftragsnummer ist 45678.", "follow_up"),
        ("de", "Ich rufe wegen der Rechnung an, Rechnungsnummer 2020-26123.", "follow_up"),
        ("de", "Ihr Monteur war letzte Woche da und die Heizung ist immer noch kalt.", "follow_up"),
        ("de", "Ich möchte mich beschweren, der Abfluss ist schon wieder verstopft.", "follow_up"),
        ("de", "Es geht um Ihr Angebot, Angebotsnummer 2211.", "follow_up"),
        ("en", "I'm calling about my order, the order number is one two three four five.", "follow_up"),
        ("en", "You fitted our boiler last month and it's broken again.", "follow_up"),
        # An earlier job named without its number, or a fault that is back.
        ("de", "Ich rufe wegen meines Auftrags an, der Wasserhahn tropft.", "follow_up"),
        ("de", "Es geht um die Rechnung, da ist ein Posten doppelt berechnet.", "follow_up"),
        ("de", "Ihr Techniker war letzte Woche da.", "follow_up"),
        ("de", "Der Abfluss ist schon wieder verstopft.", "follow_up"),
        ("en", "Your engineer came last week and the tap is dripping again.", "follow_up"),
        ("en", "The reference number is AB 1234.", "follow_up"),
        ("de", "Richten Sie Herrn Huber aus, dass die Heizkörper angekommen sind.", "message"),
        ("en", "Could you tell Mr Huber that the radiators have arrived?", "message"),
    ],
)
def test_detect_intent(language: str, text: str, intent: str) -> None:
    assert detect_intent(text, language) == intent


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Meine Heizung ist kaputt, können Sie vorbeikommen?"),
        ("de", "Bauen Sie auch Wärmepumpen ein?"),
        ("de", "Mein Name ist Müller, meine Nummer ist 0171 2345678."),
        ("en", "Can you tell me whether you install heat pumps?"),
        ("en", "The kitchen tap is dripping."),
        ("de", "Ich habe kein Angebot bekommen, aber das macht nichts."),
        ("en", "Sorry, could you say that again?"),  # "again" about the call, not the job
        ("en", "I'll try again later."),
    ],
)
def test_no_intent_where_the_words_do_not_say_one(language: str, text: str) -> None:
    assert detect_intent(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "reference"),
    [
        ("de", "Die Auftragsnummer ist 45678.", Reference("order", "45678")),
        ("de", "Es geht um meinen Auftrag, die Auftragsmummer ist 45678.", Reference("order", "45678")),  # as Whisper wrote it
        ("de", "Rechnungsnummer RE-2026-0017, da stimmt was nicht.", Reference("invoice", "RE-2026-0017")),
        ("de", "Meine Kundennummer lautet vier fünf sechs sieben.", Reference("customer", "4567")),
        ("de", "Auftrag Nr. 12/345", Reference("order", "12/345")),
        ("de", "Aktenzeichen 2026-118", Reference("order", "2026-118")),
        ("en", "The order number is 1-2-3-4-5.", Reference("order", "12345")),
        ("en", "the order number is 1,2,3,5.", Reference("order", "1235")),
        ("en", "My invoice number is one two three four five.", Reference("invoice", "12345")),
        ("en", "Invoice no. 88812", Reference("invoice", "88812")),
        ("de", "Die Auftragsnummer ist 12.345.", Reference("order", "12345")),  # a thousands dot, not the full stop
        ("de", "Rechnungsnummer RE 2026-17, bitte.", Reference("invoice", "RE2026-17")),  # the letters said apart
        ("en", "The reference number is AB 1234.", Reference("order", "AB1234")),
    ],
)
def test_reference_numbers(language: str, text: str, reference: Reference) -> None:
    assert parse_reference(text, language) == reference


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", "Es geht um meine Rechnung."), ("de", "Ich habe meine Kundennummer gerade nicht da."), ("en", "I can't find my order number.")],
)
def test_a_label_without_a_number_is_no_reference(language: str, text: str) -> None:
    assert parse_reference(text, language) is None


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("de", "Richten Sie Herrn Huber aus, dass die Heizkörper angekommen sind.", Message("Herrn Huber", "die Heizkörper angekommen sind")),
        ("de", "Brichten Sie herren Huber aus, dass die Heizkörper angekommen sind.", Message("Herrn Huber", "die Heizkörper angekommen sind")),
        ("de", "Briechen Sie herren Huber aus, dass die Heizkörper angekommen sind.", Message("Herrn Huber", "die Heizkörper angekommen sind")),
        ("de", "Sagen Sie bitte Frau Berger Bescheid, dass ich später komme.", Message("Frau Berger", "ich später komme")),
        ("de", "Können Sie Herrn Huber ausrichten, dass ich angerufen habe?", Message("Herrn Huber", "ich angerufen habe")),
        ("de", "Ich habe eine Nachricht für Herrn Huber, die Heizkörper sind da.", Message("Herrn Huber", "die Heizkörper sind da")),
        ("en", "Could you tell Mr. Huber that the radiators have arrived?", Message("Mr Huber", "the radiators have arrived")),
        ("en", "Please let Anna know that I called.", Message("Anna", "I called")),
        ("en", "I have a message for Mrs Smith: the tiles are ready.", Message("Mrs Smith", "the tiles are ready")),
    ],
)
def test_message_for_a_named_person(language: str, text: str, message: Message) -> None:
    assert parse_message(text, language) == message


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Can you tell me whether you install heat pumps?"), ("en", "Tell him I called."), ("de", "Sagen Sie mal, arbeiten Sie auch samstags?"),
     ("de", "Schalten Sie das Wasser aus, das ist das Wichtigste.")],  # "<verb> Sie … aus, das" with no person
)
def test_no_message_without_a_named_recipient(language: str, text: str) -> None:
    assert parse_message(text, language) is None


def test_a_reference_makes_a_follow_up_not_a_quote() -> None:
    assert not is_quote_request("Zu Ihrem Angebot mit der Angebotsnummer 2211 hätte ich eine Frage.", "de")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Machen Sie auch Angebote?", True),  # a question, and still a quote by name
        ("Ich hätte gern einen Kostenvoranschlag für ein neues Bad.", True),
        ("Es geht um die Angebotsnummer 4711.", True),  # named, although is_quote_request sees a reference
        ("Could you give me an estimate for a new boiler?", True),
        ("Was kostet eine Wartung?", False),  # is_quote_request's wider phrasing, not a name for it
        ("Die Heizung ist kaputt.", False),
    ],
)
def test_names_quote(text: str, named: bool) -> None:
    assert names_quote(text) is named


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Ich möchte mich beschweren, die Dusche tropft immer noch.", True),
        ("Das ist eine Reklamation.", True),
        ("I want to make a complaint about the work.", True),
        ("Ich bin sehr zufrieden.", False),
        ("The shower is leaking.", False),
    ],
)
def test_is_complaint(text: str, complaint: bool) -> None:
    assert is_complaint(text) is complaint


@pytest.mark.parametrize(
    ("language", "text", "passes_on"),
    [
        ("de", "Können Sie ihm etwas ausrichten?", True),  # no named recipient: parse_message gives None
        ("de", "Richten Sie Herrn Huber aus, dass die Heizkörper da sind.", True),
        ("en", "Please let them know I called.", True),
        ("en", "Could you tell Mr Huber that the radiators have arrived?", True),
        ("de", "Meine Heizung ist kaputt.", False),
        ("en", "I need a plumber.", False),
    ],
)
def test_asks_to_pass_on(language: str, text: str, passes_on: bool) -> None:
    assert asks_to_pass_on(text, language) is passes_on
    assert (parse_message(text, language) is not None) <= passes_on

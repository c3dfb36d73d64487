"""Reconciling the parsers' note with the model's proposal: what the call settled stays, the model fills the gaps it
can back with the caller's own words, and every field carries its provenance. Also the proposal's parsing and rendering."""

from __future__ import annotations

import json

from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_proposal import NoteProposal, parse_proposal, proposal_messages, transcript_text
from voicebridge.dialogue.note_reconcile import CONFIRMED, HEARD, INFERRED, order_number_of, reconcile
from voicebridge.notify.templates import NoteTemplates

CALLER = ("Guten Tag, hier ist Frau Roth vom Fliesenhandel Roth. Wir hätten gern einen Kostenvoranschlag für ein neues Bad. "
          "Meine Nummer ist null eins sieben eins, zwei drei vier fünf sechs sieben acht. Ja, das stimmt.")


def test_a_read_back_number_always_wins_and_the_model_fills_what_the_parsers_missed() -> None:
    parsers = CallNote("c1", language="de", name="Roth vom Fliesenhandel Roth", callback_number="01712345678",
                       callback_confirmed=True, concern="Kostenvoranschlag für ein neues Bad", intent="other",
                       missing=("company",))
    proposal = NoteProposal(name="Roth", company="Fliesenhandel Roth", callback_number="0171 9999999",
                            concern="neues Bad", intent="quote", summary="Frau Roth möchte ein Angebot für ein neues Bad.")
    note = reconcile(parsers, proposal, CALLER, "parsers+qwen")
    assert note.callback_number == "01712345678"  # confirmed by read-back: the model's other digits do not count
    assert note.name == "Roth" and note.company == "Fliesenhandel Roth"  # the company taken out of the name
    assert note.concern == "Kostenvoranschlag für ein neues Bad"  # the caller's words stay
    assert note.intent == "quote" and note.summary.startswith("Frau Roth")
    assert note.missing == ()
    assert note.extra["provenance"] == {"callback_number": CONFIRMED, "name": INFERRED, "company": INFERRED,
                                        "concern": HEARD, "intent": INFERRED, "summary": INFERRED}
    assert note.extra["note_source"] == "parsers+qwen"


def test_what_the_caller_never_said_is_not_taken_from_the_model() -> None:
    parsers = CallNote("c2", language="de", concern="Heizung kalt", missing=("name", "address"))
    proposal = NoteProposal(name="Max Mustermann", address="Hauptstraße 1, Berlin", company="Mustermann GmbH",
                            order_number="4711")
    note = reconcile(parsers, proposal, "Meine Heizung ist kalt.", "parsers+qwen")
    assert (note.name, note.address, note.company, order_number_of(note)) == ("", "", "", "")
    assert note.missing == ("name", "address")
    assert note.extra["provenance"] == {"concern": HEARD}


def test_a_heard_company_is_never_replaced_by_one_the_caller_did_not_say() -> None:
    said = "Hello, this is Peter Smith from Smith Bakering. My kitchen sink is blocked."  # as Whisper wrote it
    parsers = CallNote("c6", language="en", name="Peter Smith", company="Smith Bakering", concern="kitchen sink is blocked")
    note = reconcile(parsers, NoteProposal(name="Peter Smith", company="Smith Bakery", summary="Sink blocked."), said,
                     "parsers+qwen")
    assert note.company == "Smith Bakering" and note.extra["provenance"]["company"] == HEARD
    assert note.summary == "Sink blocked." and note.extra["provenance"]["summary"] == INFERRED


def test_a_first_name_given_later_completes_the_name_and_a_follow_up_gets_its_order_number() -> None:
    said = "Hier ist Frau Hartmann. Es geht um den Auftrag 2026 417, die Therme tropft wieder. Hartmann, Elfriede."
    parsers = CallNote("c3", language="de", name="Frau Hartmann", concern="die Therme tropft wieder", intent="other")
    proposal = NoteProposal(name="Elfriede Hartmann", intent="follow_up", order_number="2026417", urgency="soon")
    note = reconcile(parsers, proposal, said, "parsers+qwen")
    assert note.name == "Elfriede Hartmann" and note.intent == "follow_up" and order_number_of(note) == "2026417"
    assert note.urgency == "soon" and note.extra["provenance"]["urgency"] == INFERRED


def test_without_a_proposal_the_parsers_note_is_sent_marked() -> None:
    parsers = CallNote("c4", language="en", name="Peter Smith", callback_number="01711234567", urgency="emergency",
                       intent="emergency")
    note = reconcile(parsers, None, "Peter Smith here, water everywhere", "parsers; qwen too slow (over 60 s)")
    assert note.name == "Peter Smith" and note.urgency == "emergency"
    assert note.extra["provenance"] == {"name": HEARD, "callback_number": HEARD, "urgency": HEARD, "intent": HEARD}
    assert note.extra["note_source"] == "parsers; qwen too slow (over 60 s)"
    body = NoteTemplates("Miller Plumbing", "en").render(note).body
    assert "Sources: heard: name, call-back number, urgency, kind" in body
    assert "Note by: parsers; qwen too slow (over 60 s)" in body


def test_the_mail_says_where_each_field_came_from() -> None:
    parsers = CallNote("c5", language="de", name="Frau Roth vom Fliesenhandel Roth", callback_number="01712345678",
                       callback_confirmed=True, concern="neues Bad")
    note = reconcile(parsers, NoteProposal(name="Roth", company="Fliesenhandel Roth", intent="quote"), CALLER, "parsers+qwen")
    body = NoteTemplates("Sanitär Huber", "de").render(note).body
    assert "bestätigt (vorgelesen): Rückrufnummer" in body and "vom Sprachmodell ergänzt: Name, Firma, Art" in body
    assert "Art:            Angebot" in body and "Notiz von:        parsers+qwen" in body
    restored = CallNote.from_dict(json.loads(note.to_json()))  # as the webhook payload and the store carry it
    assert restored.extra["provenance"]["callback_number"] == CONFIRMED


def test_model_answers_are_parsed_defensively() -> None:
    assert parse_proposal("not json") is None and parse_proposal("[1, 2]") is None
    p = parse_proposal('{"name": "  Anna   Weber ", "intent": "sales", "urgency": "now", "callback_number": 171}')
    assert p is not None and p.name == "Anna Weber" and p.intent == "other" and p.urgency == "unknown"
    assert p.callback_number == "171"


def test_the_prompt_holds_the_whole_call_and_keeps_the_end_of_a_long_one() -> None:
    turns = [("agent", "Guten Tag, Sanitär Huber.")] + [("caller", f"Satz {i} " + "x" * 90) for i in range(100)]
    turns.append(("caller", "Meine Nummer ist 0171 2345678."))
    text = transcript_text(turns)
    assert text.endswith("caller: Meine Nummer ist 0171 2345678.") and len(text) <= 6000
    messages = proposal_messages(text, "de")
    assert messages[-1]["content"].count("Meine Nummer ist 0171 2345678.") == 1 and "Angebot" in messages[0]["content"]

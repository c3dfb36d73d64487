"""A dialogue that listens: no question for something already said, read-backs that settle, no loops, no lost leads.

Unit checks on the real policy (no models), then a fast sample of the generated dev callers through the caller simulator.
"""

from __future__ import annotations

from datetime import datetime

from tests.conversations.generator import split
from tests.conversations.scoring import score_all, summary
from tests.conversations.simulator import REPEAT_CAP, asked, run_script, run_simulated
from voicebridge.config import load_config
from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE
from voicebridge.dialogue.policy import MAX_TURNS, ConversationPolicy
from voicebridge.dialogue.slot_filling import order_number
from voicebridge.notify.templates import NoteTemplates

OPEN = datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE)  # Wednesday
PROFILE = load_config(None).business.profile


def policy(language: str = "de") -> ConversationPolicy:
    return ConversationPolicy("Sanitär Huber", language, profile=PROFILE, clock=lambda: OPEN)


def test_everything_in_the_first_sentence_is_taken_and_never_asked_for() -> None:
    p = policy()
    reply = p.respond("Guten Tag, hier ist Martina Keller. Bei mir tropft der Wasserhahn in der Küche, möglichst bald bitte.")
    assert asked(reply.text) == "number"  # not the name again, not the concern
    note = p.note()
    assert note.name == "Martina Keller" and "Wasserhahn" in note.concern and "Keller" not in note.concern and note.urgency == "soon"


def test_a_read_back_answered_with_something_else_is_settled_as_confirmed() -> None:
    p = policy()
    p.respond("Mein Abfluss ist verstopft.")
    assert asked(p.respond("Eva Braun, 0171 2345678.").text) == "readback"
    reply = p.respond("Die Adresse ist Hauptstraße 3, 80331 München.")  # talks on without objecting
    assert asked(reply.text) == "urgency"
    assert p.note().callback_confirmed and p.note().address.startswith("Hauptstraße 3")


def test_a_goodbye_after_the_read_back_confirms_it_and_ends_the_call() -> None:
    for language, goodbye in (("de", "Danke, tschüss."), ("en", "Thanks, bye."), ("en", "Danke, tschüss.")):
        p = policy(language)
        p.respond("Hier ist Eva Braun, meine Nummer ist 0171 2345678.")
        reply = p.respond(goodbye)  # not a yes, but no objection either: the caller is done
        assert reply.end_call, (language, goodbye, reply.text)
        assert p.note().callback_confirmed and p.note().callback_number == "01712345678"


def test_an_unclear_answer_to_the_read_back_gets_one_repeat_then_the_keypad_then_the_call_goes_on() -> None:
    p = policy()
    p.respond("Mein Abfluss ist verstopft.")
    p.respond("Eva Braun, 0171 2345678.")
    assert asked(p.respond("Mhm.").text) == "readback"  # one repeat
    assert asked(p.respond("Äh.").text) == "keypad"
    assert p.dtmf("0") is None  # a digit now, not "a person please"
    for key in "171234567":
        p.dtmf(key)
    reply = p.dtmf("#")
    assert reply is not None and asked(reply.text) == "address"
    assert p.note().callback_number == "0171234567" and p.note().callback_confirmed


def test_no_question_is_asked_more_than_twice_and_every_call_ends() -> None:
    p = policy()
    replies = [p.respond("Bei mir tropft der Wasserhahn.").text]
    for _ in range(MAX_TURNS + 2):
        if p.finished:
            break
        replies.append(p.respond("Das weiß ich nicht so genau, äh, Moment mal bitte.").text)
    assert p.finished
    kinds = [asked(r) for r in replies]
    assert all(kinds.count(k) <= REPEAT_CAP for k in set(kinds) if k not in ("other", "repeat"))


def test_after_a_question_the_lead_is_kept_with_a_call_back_offer() -> None:
    p = policy()
    reply = p.respond("Bauen Sie auch Wärmepumpen ein?")
    assert "Rückruf" in reply.text and asked(reply.text) == "callback_offer"
    assert asked(p.respond("Ja, gern. Fuchs, Markus, 0157 1834062.").text) == "readback"
    p.respond("Ja.")
    note = p.note()
    assert (note.name, note.callback_number, note.intent) == ("Markus Fuchs", "01571834062", "question")
    assert "Wärmepumpen" in note.concern and "address" not in note.missing


def test_a_quote_request_and_a_follow_up_with_its_order_number_have_their_intents() -> None:
    p = policy()
    p.respond("Ich hätte gern ein Angebot für ein neues Bad.")
    assert p.note().intent == "quote"
    p = policy()
    p.respond("Ich rufe wegen meines Auftrags an, der Wasserhahn tropft schon wieder.")
    p.respond("Jürgen Wolf, 0171 2345678.")
    assert asked(p.respond("Ja.").text) == "order"
    p.respond("Die Auftragsnummer ist 48213.")
    note = p.note()
    assert (note.intent, note.order_number) == ("follow_up", "48213") and "address" not in note.missing
    body = NoteTemplates("Sanitär Huber", "de").render(note).body
    assert "Auftragsnummer: 48213" in body and "Nachfrage zu einem Auftrag" in body
    assert order_number("my invoice number is 2026 0345") == "20260345" and order_number("Auftrag vom Montag") == ""


def test_a_message_for_a_named_person_is_a_message() -> None:
    p = policy("en")
    reply = p.respond("Could you tell Mr Huber that the radiators have arrived?")
    assert asked(reply.text) in ("contact", "name")
    note = p.note()
    assert note.intent == "message" and "radiators" in note.concern and note.name == ""


def test_a_caller_asking_whether_they_reached_the_right_company_hears_yes() -> None:
    reply = policy().respond("Hallo, bin ich da richtig bei Sanitär Huber?")
    assert "richtig bei Sanitär Huber" in reply.text and asked(reply.text) == "concern"


def test_a_landlord_reporting_for_a_tenant_stays_the_caller() -> None:
    p = policy()
    p.respond("Hier spricht Peter Hartmann, ich bin der Vermieter. Ich rufe für meine Mieterin Frau Koch an: die Toilette ist verstopft.")
    assert p.note().name == "Peter Hartmann"


def test_a_fast_dev_sample_never_asks_twice_never_loops_and_always_ends() -> None:
    """60 generated dev callers with the simulated caller and as fixed scripts (no LLM; a few seconds)."""
    sample = split("dev", 60)
    for run in (run_simulated, run_script):
        scored = score_all([run(f) for f in sample])
        figures = summary(scored)
        assert figures["not_ended"] == 0, [s.dialogue.facts.id for s in scored if not s.dialogue.ended]
        assert figures["looped"] == 0, [(s.dialogue.facts.id, s.dialogue.repeats) for s in scored if s.dialogue.looped]
        assert figures["redundant_questions"] == 0, [(s.dialogue.facts.id, s.dialogue.redundant) for s in scored if s.dialogue.redundant]
        assert figures["field_accuracy"] >= 0.9


def test_a_read_back_answered_with_no_hurry_is_no_objection() -> None:
    p = policy("en")
    p.respond("The kitchen tap is dripping.")
    assert asked(p.respond("Eva Brown, 0171 2345678.").text) == "readback"
    reply = p.respond("No hurry at all.")  # the "no" is the urgency's, not an objection to the number
    assert asked(reply.text) != "keypad" and p.note().callback_confirmed and p.note().urgency == "no_rush"


def test_a_question_answered_with_something_else_is_asked_once_more_and_the_answer_is_not_misfiled() -> None:
    p = policy()
    p.respond("Der Wasserhahn tropft.")
    p.respond("Eva Braun, 0171 2345678.")
    p.respond("Ja, richtig.")
    assert asked(p.respond("Es hat Zeit.").text) == "address"  # the urgency, when the address was asked: asked again
    note = p.note()
    assert note.address == "" and note.urgency == "no_rush"
    assert asked(p.respond("Hauptstraße 3, 80331 München.").text) == "window"  # urgency given: not asked
    p2 = policy()
    p2.respond("Der Wasserhahn tropft.")
    p2.respond("Eva Braun, 0171 2345678.")
    p2.respond("Ja, richtig.")
    assert asked(p2.respond("Hauptstraße 3, 80331 München.").text) == "urgency"
    assert asked(p2.respond("Am besten morgen Vormittag.").text) == "urgency"  # answered the window instead: once more
    assert asked(p2.respond("Am besten morgen Vormittag.").text) != "urgency"  # never a third time


def test_a_contact_answer_with_the_address_in_it_gives_name_number_and_address() -> None:
    cases = (
        ("en", "Mr Becker, zero one seven nine, six seven one, seven five one six, Am Anger 7, 80802 Munich.", "Mr Becker", "01796717516"),
        ("de", "Frau Schneider, 0171 2345678, Leopoldstraße 9, Hinterhaus, 80331 München.", "Frau Schneider", "01712345678"),
    )
    for language, answer, name, number in cases:
        p = policy(language)
        p.respond("Der Wasserhahn tropft." if language == "de" else "The tap is dripping.")
        assert asked(p.respond(answer).text) == "readback", answer
        note = p.note()
        assert (note.name, note.callback_number) == (name, number) and note.address, (answer, note)


def test_name_answers_with_a_title_a_correction_or_the_surname_first() -> None:
    p = policy()
    p.respond("Die Heizung macht Geräusche.")
    p.respond("Wagner, Brigitte. Meine Nummer ist 0172 7767584, nein, Moment, Entschuldigung, 0172 7767548.")
    assert (p.note().name, p.note().callback_number) == ("Brigitte Wagner", "01727767548")  # not "Moment", not "Brigitte"
    p = policy("en")
    p.respond("The boiler shows an error.")
    p.respond("Dr. Grace Bishop from Bishop Properties, 030 17946672.")
    assert p.note().name.endswith("Grace Bishop") and p.note().company == "Bishop Properties"


def test_a_number_with_hesitations_between_its_groups() -> None:
    for language, said in (("de", "Meine Nummer ist null eins sieben eins, ähm, zwei drei vier, äh, fünf sechs sieben acht."),
                           ("en", "My number is zero one seven one, um, two three four, uh, five six seven eight.")):
        p = policy(language)
        p.respond("Hier ist Eva Braun, der Abfluss ist verstopft." if language == "de" else "This is Eva Brown, the drain is blocked.")
        assert asked(p.respond(said).text) == "readback" and p.note().callback_number == "01712345678", said


def test_a_read_back_confirmed_by_saying_the_number_again() -> None:
    p = policy("en")
    p.respond("This is Eva Brown, the drain is blocked.")
    p.respond("My number is 0170 2432833.")
    reply = p.respond("Yes, 0170 2432833, that's it.")  # "that's it" confirms here, it is no goodbye
    assert not reply.end_call and asked(reply.text) == "address" and p.note().callback_confirmed
    p = policy()
    p.respond("Hier ist Eva Braun, der Abfluss ist verstopft.")
    assert asked(p.respond("Meine Nummer ist +49 30 3789492.").text) == "readback"
    reply = p.respond("Ja, 030 3789492, genau.")  # the same number in its national form: no second read-back
    assert asked(reply.text) == "address" and p.note().callback_confirmed


def test_a_no_inside_an_answer_for_another_field_is_no_objection_to_the_read_back() -> None:
    p = policy()
    p.respond("Der Wasserhahn tropft.")
    p.respond("Eva Braun, 0171 2345678.")
    reply = p.respond("Das hat Zeit, also, nein, eigentlich diese Woche noch, wenn es geht.")
    assert asked(reply.text) != "keypad" and p.note().callback_confirmed and p.note().urgency == "soon"


def test_a_number_split_at_the_pause_after_its_area_code_is_joined_and_never_asked_again() -> None:
    """The endpointer may end the caller's turn in the pause after the area code ("Meine Nummer ist 0171." … "2, 3, 4, …"
    on the real PBX): the agent lets them go on instead of asking for the number again, and the read-back has it whole."""
    for language, first, rest, whole in (
        ("de", "Meine Nummer ist null eins sieben eins.", "zwei, drei, vier, fünf, sechs, sieben, acht.", "01712345678"),
        ("de", "Meine Nummer ist 0171.", "2, 3, 4, 5, 6, 7, 8.", "01712345678"),
        ("de", "Null acht neun.", "drei drei drei vier vier vier vier.", "0893334444"),
        ("en", "My number is 0 7 7 0 0.", "9 0 0 1 2 3.", "07700900123"),
    ):
        p = policy(language)
        p.respond("Hier ist Peter Schmidt, der Wasserhahn in der Küche tropft." if language == "de" else "This is Peter Brown, my shower is leaking.")
        pause = p.respond(first)
        assert pause.text in ("Ja, bitte weiter.", "Yes, go on."), (first, pause.text)
        assert asked(p.respond(rest).text) == "readback"
        assert p.note().callback_number == whole, (first, rest, p.note().callback_number)


def test_a_quote_question_stays_the_concern_through_the_address_and_the_time() -> None:
    # The question was the call's reason; the floor beside the address and "any time" for the visit are not.
    p = policy("en")
    assert asked(p.respond("Hi, could you give me an estimate for replacing the boiler.").text) == "callback_offer"
    p.respond("Yes, please.")
    p.respond("My name is Katarzyna Nowak. And my number is 0173 8664566.")
    p.respond("Yes, that's right.")
    p.respond("The address is 12a Maple Road, third floor, 80331 Munich.")
    p.respond("Any time is fine.")
    note = p.note()
    assert note.intent == "quote" and "estimate" in note.concern and "boiler" in note.concern, note
    assert "floor" not in note.concern and "Any time" not in note.concern
    assert "third floor" in note.address


def test_a_name_before_the_company_with_an_article_and_the_number() -> None:
    p = policy("en")
    p.respond("The boiler shows an error code.")
    assert asked(p.respond("Grace Bishop from the Green Dental Practice, 0176 2983114.").text) == "readback"
    p.respond("Yes, that's right.")
    note = p.note()
    assert (note.name, note.company, note.callback_number) == ("Grace Bishop", "Green Dental Practice", "01762983114"), note

"""The conversation policy without models: slots, read-back, corrections, questions from the profile, emergencies, keys, hang-ups."""

from __future__ import annotations

from datetime import datetime

import pytest

from voicebridge.config import BusinessProfile, FaqEntry, OpeningHours, load_config, parse_config
from voicebridge.dialogue.note_extractor import UtteranceHints, extract_hints
from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE
from voicebridge.dialogue.policy import ConversationPolicy
from voicebridge.dialogue.profile import ProfileAnswers
from voicebridge.errors import ConfigError

OPEN = datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE)  # Wednesday
NIGHT = datetime(2026, 11, 25, 22, 0, tzinfo=DEFAULT_TIMEZONE)
PROFILE = load_config(None).business.profile


def policy(language: str = "de", now: datetime = OPEN, profile: BusinessProfile = PROFILE, **kw: object) -> ConversationPolicy:
    return ConversationPolicy("Sanitär Huber", language, profile=profile, clock=lambda: now, **kw)  # type: ignore[arg-type]


def test_full_call_fills_every_slot_and_reads_the_number_back() -> None:
    p = policy()
    assert "KI-Assistent" in p.greeting().text and "Sanitär Huber" in p.greeting().text
    assert "Nummer" in p.respond("Mein Abfluss ist verstopft.").text
    readback = p.respond("Eva Braun, null eins sieben eins, zwei drei vier, fünf sechs sieben.").text
    assert "null, eins, sieben, eins – zwo, drei, vier – fünf, sechs, sieben" in readback
    assert "Adresse" in p.respond("Ja.").text
    assert "dringend" in p.respond("Hauptstraße 3, 80331 München.").text
    assert "Termin" in p.respond("Hat Zeit.").text
    assert "sonst" in p.respond("Morgen Nachmittag.").text
    last = p.respond("Nein danke, tschüss.")
    assert last.end_call
    note = p.note("c1")
    assert (note.name, note.callback_number, note.callback_confirmed) == ("Eva Braun", "0171234567", True)
    assert note.address == "Hauptstraße 3, 80331 München" and note.urgency == "no_rush" and note.missing == ()
    assert note.preferred_window is not None and note.preferred_window.label.startswith("Do 26.11.")


def test_a_corrected_number_replaces_the_old_one_and_is_read_back_again() -> None:
    p = policy()
    p.respond("Die Heizung tropft.")
    p.respond("Max Roth, 0170 1234567.")
    again = p.respond("Nein, die Nummer ist 0170 7654321.").text
    assert "null – sieben, sechs, fünf – vier, drei, zwo, eins" in again
    p.respond("Ja.")
    assert p.note().callback_number == "01707654321" and p.note().callback_confirmed


def test_a_plain_no_to_the_read_back_asks_for_the_number_again() -> None:
    p = policy("en")
    p.respond("My sink is blocked.")
    p.respond("Ann Lee, 0171 2345678.")
    assert "once more" in p.respond("No.").text
    assert p.note().callback_number == ""


def test_questions_are_answered_from_the_profile_only() -> None:
    p = policy()
    hours = p.respond("Wann haben Sie geöffnet?").text
    assert "Montag bis Donnerstag von 7:30 bis 12 Uhr und von 13 bis 17 Uhr" in hours and "Freitag von 7:30 bis 13 Uhr" in hours
    assert "39 Euro" in policy().respond("Was kostet die Anfahrt?").text
    assert "nicht sicher" in policy().respond("Haben Sie auch Solarmodule auf Lager?").text  # not in the profile: no answer invented
    bare = ConversationPolicy("Huber", "de", clock=lambda: OPEN)  # an empty profile knows no hours
    assert "nicht sicher" in bare.respond("Wann haben Sie geöffnet?").text


def test_service_area_by_town_and_postcode() -> None:
    answers = ProfileAnswers(PROFILE, "de")
    assert answers.serves("Kommen Sie nach Garching?") and answers.serves("PLZ 80999")
    assert answers.serves("Kommen Sie nach 86150 Augsburg?") is False
    assert answers.serves("Kommen Sie nach Augsburg?") is None


def test_holidays_and_hours_decide_open() -> None:
    answers = ProfileAnswers(PROFILE, "de")
    assert answers.is_open(OPEN) and not answers.is_open(NIGHT)
    assert not answers.is_open(datetime(2026, 12, 24, 10, 0, tzinfo=DEFAULT_TIMEZONE))  # a Thursday, but a holiday
    assert not answers.is_open(datetime(2026, 11, 25, 12, 30, tzinfo=DEFAULT_TIMEZONE))  # lunch break


def test_emergency_in_hours_is_flagged_once_and_offers_the_transfer() -> None:
    p = policy()
    reply = p.respond("Hilfe, wir haben einen Rohrbruch!")
    assert "Notfall" in reply.text and "verbinden" in reply.text
    assert p.take_emergency() and not p.take_emergency()
    transfer = p.respond("Ja bitte.")
    assert transfer.transfer_to == "office" and p.note().transferred_to == "office" and p.note().is_emergency


def test_emergency_at_night_reads_the_oncall_number_and_offers_oncall() -> None:
    p = policy(now=NIGHT)
    reply = p.respond("Es riecht nach Gas im Keller.").text
    assert "null, eins, sieben, eins" in reply and "verbinden" in reply
    assert "Name" in p.respond("Nein, nehmen Sie es auf.").text


def test_profile_keywords_make_an_emergency() -> None:
    profile = BusinessProfile(emergency_keywords=("Aufzug steckt",))
    p = ConversationPolicy("Huber", "de", profile=profile, clock=lambda: OPEN)
    p.respond("Bei uns der Aufzug steckt fest.")
    assert p.note().urgency == "emergency"


def test_the_model_can_flag_an_emergency_late() -> None:
    p = policy()
    request = p.model_request("Unten im Keller kommt irgendwas aus der Wand.")
    assert request is not None and not request.blocking
    p.respond("Unten im Keller kommt irgendwas aus der Wand.")
    p.apply_hints(UtteranceHints(emergency=True))
    assert p.take_emergency() and p.note().urgency == "emergency"


def test_a_name_the_parsers_miss_waits_for_the_model() -> None:
    p = policy()
    p.respond("Die Dusche ist undicht.")
    text = "Ach so, also das wäre Heinz-Dieter vom Hinterhaus"
    request = p.model_request(text)
    assert request is not None and request.blocking and "Heinz-Dieter" in request.candidates
    p.respond(text, UtteranceHints(name="Heinz-Dieter"))
    assert p.note().name == "Heinz-Dieter"


def test_model_hints_can_only_pick_words_the_caller_said() -> None:
    class Junk:
        def create_chat_completion(self, **_: object) -> dict[str, object]:
            return {"choices": [{"message": {"content": '{"name": "Invented Person", "emergency": false}'}}]}

    assert extract_hints(Junk(), "Hallo Müller hier", ("Müller",)).name == ""


def test_keys_enter_the_number_and_zero_asks_for_a_person() -> None:
    p = policy()
    p.respond("Das Klo ist verstopft.")
    p.respond("Lena Fischer.")
    assert all(p.dtmf(d) is None for d in "0176123456")
    assert p.typing_number
    reply = p.dtmf("#")
    assert reply is not None and "null, eins, sieben, sechs" in reply.text
    person = policy().dtmf("0")
    assert person is not None and person.transfer_to == "office"
    closed = policy(now=NIGHT).dtmf("0")
    assert closed is not None and closed.transfer_to is None and "niemand" in closed.text


def test_hang_up_mid_way_leaves_a_note_naming_what_is_missing() -> None:
    p = policy("en")
    p.respond("My radiator is banging.")
    note = p.note("c9", tenant="acme", caller_number="+49171")
    assert note.concern == "My radiator is banging" and note.tenant == "acme" and note.caller_number == "+49171"
    assert {"name", "callback_number", "address"} <= set(note.missing)


def test_caller_id_can_be_the_callback_number() -> None:
    p = policy(caller_number="+491701112223")
    assert "von der Sie gerade anrufen" in p.respond("Hans Ott hier, der Boiler leckt.").text
    p.respond("Ja.")
    assert p.note().callback_number == "+491701112223" and p.note().callback_confirmed


def test_silence_three_times_ends_the_call() -> None:
    p = policy()
    assert not p.respond("").end_call and not p.respond(" ").end_call
    assert p.respond("").end_call and p.note().missing == ("concern", "name", "callback_number")


def test_refusing_the_recording_still_works() -> None:
    p = policy(recording=True)
    assert "KI-Assistent" in p.greeting().text and "aufgezeichnet" in p.greeting().text
    assert p.respond("Keine Aufnahme bitte.").refuse_recording


@pytest.mark.parametrize("hours", ["8-17", "17:00-08:00", "08:00-25:00"])
def test_bad_opening_hours_are_refused_at_start(hours: str) -> None:
    with pytest.raises(ConfigError, match="business.profile.hours.mon"):
        parse_config({"business": {"profile": {"hours": {"mon": hours}}}})


def test_tenants_have_their_own_profile() -> None:
    cfg = parse_config({"tenants": [{"id": "praxis", "name": "Praxis", "numbers": ["1"],
                                     "profile": {"faq": [{"keywords": ["rezept"], "answer": "Rezepte holen Sie vormittags ab."}]}}]})
    assert cfg.tenant("praxis").profile.faq == (FaqEntry(("rezept",), "Rezepte holen Sie vormittags ab."),)
    assert cfg.tenant("default").profile == BusinessProfile() and BusinessProfile().hours == OpeningHours()


def test_a_fork_tries_a_reply_without_touching_the_original() -> None:
    p = policy(language="en")
    p.respond("My heating is broken.")
    before = (p.revision, p.note().to_json())
    twin = p.fork()
    reply = twin.respond("My name is Peter Smith and my number is 0171 2345678.")
    assert "read your number back" in reply.text and twin.slots.number is not None and twin.slots.name
    assert (p.revision, p.note().to_json()) == before  # the original has not heard any of it
    assert twin.revision > p.revision


def test_the_revision_moves_with_every_change_but_not_with_hints_that_change_nothing() -> None:
    p = policy(language="en")
    seen = [p.revision]
    p.respond("Hello, this is Anna Lee.")
    seen.append(p.revision)
    p.dtmf("5")
    seen.append(p.revision)
    p.apply_hints(UtteranceHints(name="", emergency=False))
    seen.append(p.revision)
    p.apply_hints(UtteranceHints(name="", emergency=True))
    seen.append(p.revision)
    assert seen[1] > seen[0] and seen[2] > seen[1] and seen[3] == seen[2] and seen[4] > seen[3]

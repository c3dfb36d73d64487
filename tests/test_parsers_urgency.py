"""Urgency levels and their reasons; negations and look-alikes are not emergencies."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.urgency import parse_urgency

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


def test_not_so_urgent_is_no_rush() -> None:
    # Found by the conversation suite: "nicht so eilig" negated "eilig" but matched nothing.
    assert parse_urgency("Nicht so eilig.", "de").level == "no_rush"
    assert parse_urgency("Das ist nicht besonders eilig", "de").level == "no_rush"


def test_gas_smell_further_from_the_verb() -> None:
    # "riecht … nach Gas" allows three words between; callers put the place in between.
    assert parse_urgency("Es riecht bei uns im Treppenhaus stark nach Gas.", "de").level == "emergency"


@pytest.mark.parametrize(
    ("language", "text", "level"),
    [
        ("de", "Möglichst bald.", "soon"),
        ("de", "Diese Woche noch, wenn es geht.", "soon"),
        ("de", "Wenn es geht noch diese Woche.", "soon"),
        ("de", "In den nächsten Tagen wäre gut.", "soon"),
        ("de", "Bald, bitte.", "soon"),
        ("en", "Quite soon, please.", "soon"),
        ("en", "Soon.", "soon"),
        ("en", "As soon as possible, I have a baby at home.", "soon"),
        ("en", "Sometime in the next few days.", "soon"),
        # Emergencies described, not named.
        ("de", "Bei uns kommt Wasser durch die Decke.", "emergency"),
        ("de", "Bei uns läuft das Wasser von der Decke runter.", "emergency"),
        ("de", "Bei uns im Bad tropft es von der Decke, glaube ich.", "emergency"),
        ("en", "It's dripping from the ceiling in the hall.", "emergency"),
        ("de", "Die Toilette läuft über und hört nicht mehr auf.", "emergency"),
        ("de", "Die Spülung hört einfach nicht mehr auf.", "emergency"),
        ("de", "Das Wasser lässt sich nicht abstellen.", "emergency"),
        ("en", "Water is coming through the ceiling.", "emergency"),
        ("en", "The toilet is overflowing and won't stop.", "emergency"),
        ("en", "We can't turn the water off.", "emergency"),
        ("de", "Im Keller steht das Wasser.", "emergency"),
        ("de", "Aus dem Rohr spritzt Wasser.", "emergency"),
        ("en", "The cellar is full of water.", "emergency"),
        # The ceiling named: "Küchendecke", "the kitchen ceiling".
        ("de", "Bei uns kommt das Wasser durch die Küchendecke.", "emergency"),
        ("de", "Es tropft von der Badezimmerdecke.", "emergency"),
        ("en", "Water is coming through the kitchen ceiling.", "emergency"),
        # A cistern that runs on is a repair; water that will not stop is not.
        ("en", "The toilet keeps running after it's flushed.", "unknown"),
        ("en", "The water keeps running and running.", "emergency"),
        # Soon and no rush, more ways: "heute oder morgen", southern "pressiert", "nichts Dringendes", weeks ahead.
        ("de", "Heute oder morgen wäre gut.", "soon"),
        ("en", "Today or tomorrow would be good.", "soon"),
        ("de", "Es pressiert schon ein bisschen.", "soon"),
        ("de", "Es pressiert nicht.", "no_rush"),
        ("de", "Es ist nichts Dringendes.", "no_rush"),
        ("de", "Irgendwann in den nächsten Wochen.", "no_rush"),
        ("en", "Any time in the next few weeks is fine.", "no_rush"),
        ("en", "Nothing urgent.", "no_rush"),
        # A deadline, or a fault that gets worse, is soon.
        ("de", "Bis Donnerstag müsste das schon erledigt sein.", "soon"),
        ("de", "Spätestens Montag, bitte.", "soon"),
        ("de", "Noch vor dem Wochenende wäre gut.", "soon"),
        ("de", "Es wird immer schlimmer mit dem Tropfen.", "soon"),
        ("en", "Ideally by Thursday.", "soon"),
        ("en", "It's got worse since yesterday.", "soon"),
        ("en", "Before the weekend if you can.", "soon"),
        # No rush, said without the words for it; a negation after an intensifier still negates.
        ("de", "Wenn Sie mal Zeit haben, schauen Sie vorbei.", "no_rush"),
        ("de", "Das kann gut noch zwei Wochen warten.", "no_rush"),
        ("de", "Es eilt wirklich nicht.", "no_rush"),
        ("de", "Das ist überhaupt nicht dringend.", "no_rush"),
        ("en", "When you get the chance.", "no_rush"),
        ("en", "No big hurry.", "no_rush"),
        ("en", "It can easily wait.", "no_rush"),
    ],
)
def test_urgency_as_callers_phrase_it(language: str, text: str, level: str) -> None:
    assert parse_urgency(text, language).level == level


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Tschüss, bis bald!"),
        ("en", "Thanks, see you soon, bye."),
        ("en", "Talk soon."),
        ("de", "Die Preise gehen ja durch die Decke, was kostet ein neues Bad?"),
        ("de", "Die Abrechnung läuft über die Hausverwaltung."),
        ("de", "Ich bin bis Freitag im Urlaub."),  # a date, not a deadline for the job
        ("de", "Es ist nicht schlimmer geworden."),
    ],
)
def test_goodbyes_and_figures_of_speech_are_not_urgent(language: str, text: str) -> None:
    assert parse_urgency(text, language).level == "unknown"


def test_the_reason_is_the_callers_words_even_after_a_goodbye() -> None:
    urgency = parse_urgency("Bis bald, ach ja, es ist dringend.", "de")
    assert urgency == type(urgency)("soon", "dringend")


def test_one_socket_without_power_is_a_repair_not_a_power_cut() -> None:
    # Found by the generated conversation callers (dev part).
    assert parse_urgency("Die Steckdose im Bad hat keinen Strom mehr.", "de").level == "unknown"
    assert parse_urgency("The socket in the bathroom has no power.", "en").level == "unknown"
    assert parse_urgency("Im ganzen Haus ist kein Strom, auch die Steckdosen nicht.", "de").level == "emergency"
    assert parse_urgency("We have no power at all.", "en").level == "emergency"

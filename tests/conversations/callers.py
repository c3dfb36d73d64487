"""Scripted callers for the conversation suite, written as Whisper transcribes them, each with the note it must leave.

A line is what the caller said in one turn; ("dtmf", "0171...#") is keys pressed. A script that stops without a goodbye is a
caller who hung up. `expect` holds note fields: strings compare case-insensitively ("address" and "window" as substrings,
"concern" as a tuple of words that must all appear), `missing` lists fields that must be reported missing, `reply` is a
phrase some agent reply must contain (an answer taken from the profile).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE

OPEN = datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE)  # a Wednesday morning: the office is open
NIGHT = datetime(2026, 11, 25, 22, 30, tzinfo=DEFAULT_TIMEZONE)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=DEFAULT_TIMEZONE)

Line = str | tuple[str, str]


@dataclass(frozen=True)
class Caller:
    id: str
    language: str
    lines: tuple[Line, ...]
    expect: dict[str, Any]
    now: datetime = OPEN
    kind: str = "simple"
    tags: tuple[str, ...] = field(default=())


CALLERS: tuple[Caller, ...] = (
    # -- German ------------------------------------------------------------------------------------------------------------------
    Caller("de_simple", "de", (
        "Guten Tag, mein Name ist Peter Müller. Bei mir tropft der Wasserhahn in der Küche.",
        "Meine Nummer ist 0171 2345678.",
        "Ja, genau.",
        "Lindenstraße 12 in München.",
        "Nicht so eilig.",
        "Nächste Woche Dienstag vormittags.",
        "Nein, danke. Tschüss.",
    ), {"name": "Peter Müller", "callback_number": "01712345678", "callback_confirmed": True, "address": "Lindenstraße 12",
        "concern": ("Wasserhahn", "tropft"), "urgency": "no_rush", "intent": "appointment", "window": "Di 01.12.", "missing": ()}),
    Caller("de_one_breath", "de", (
        "Hallo, hier ist Sabine Koch von der Koch GmbH, bei uns im Büro ist die Toilette verstopft, die Adresse ist Bahnhofstraße 5, "
        "85748 Garching, Sie erreichen mich unter null eins fünf eins, vier vier vier, fünf fünf fünf, sechs, und es wäre gut, "
        "wenn morgen früh jemand kommen könnte.",
        "Ja, stimmt.",
        "Schon dringend.",
        "Nein, das war alles.",
    ), {"name": "Sabine Koch", "company": "Koch GmbH", "callback_number": "01514445556", "callback_confirmed": True,
        "address": "Bahnhofstraße 5", "concern": ("Toilette", "verstopft"), "urgency": "soon", "window": "26.11.", "missing": ()},
        kind="one breath"),
    Caller("de_correction_number", "de", (
        "Mein Abfluss im Bad läuft nicht ab.",
        "Thomas Weber, 0170 1234567.",
        "Nein, die Nummer ist 0170 1234576.",
        "Ja.",
        "Am Rosenweg 3 in Haar.",
        "Hat Zeit.",
        "Am Freitag nachmittags.",
        "Nein danke, tschüss.",
    ), {"name": "Thomas Weber", "callback_number": "01701234576", "callback_confirmed": True, "address": "Rosenweg 3",
        "concern": ("Abfluss",), "urgency": "no_rush", "window": "Fr 27.11.", "missing": ()}, kind="correction"),
    Caller("de_correction_address", "de", (
        "Guten Tag, Jansen hier, bei mir ist das Waschbecken verstopft.",
        "Null eins sieben null, neun acht sieben, sechs fünf vier drei.",
        "Ja, richtig.",
        "Die Adresse ist Bergstraße 10 in Garching.",
        "Nein, Moment, ich meinte Bergstraße 19 in Garching.",
        "Keine Eile.",
        "Donnerstag ab 14 Uhr.",
        "Nein, tschüss.",
    ), {"name": "Jansen", "callback_number": "01709876543", "address": "Bergstraße 19", "concern": ("Waschbecken", "verstopft"),
        "urgency": "no_rush", "window": "Do 26.11.", "missing": ()}, kind="correction"),
    Caller("de_question_hours", "de", (
        "Ja hallo, wann haben Sie denn geöffnet?",
        "Ah gut. Dann möchte ich gleich einen Termin für die Wartung meiner Gasheizung machen.",
        "Klaus Bauer, null eins sieben sechs, eins zwei drei, vier fünf sechs sieben.",
        "Ja.",
        "Gartenstraße 8, 80331 München.",
        "Keine Eile.",
        "Nächste Woche Montag.",
        "Das war's, danke.",
    ), {"name": "Klaus Bauer", "callback_number": "01761234567", "address": "Gartenstraße 8", "concern": ("Wartung", "Gasheizung"),
        "urgency": "no_rush", "intent": "appointment", "reply": "Montag bis Donnerstag", "missing": ()}, kind="question first"),
    Caller("de_question_price", "de", (
        "Was kostet denn bei Ihnen die Anfahrt?",
        "Okay. Nein, sonst nichts, danke, tschüss.",
    ), {"intent": "question", "concern": ("Anfahrt",), "reply": "39 Euro", "missing": ("name", "callback_number")}, kind="question first"),
    Caller("de_question_area", "de", (
        "Kommen Sie auch nach Unterschleißheim?",
        "Gut. Bei mir macht die Heizung so komische Geräusche.",
        "Anna Schulz, 0151 23456789.",
        "Ja.",
        "Am Anger 4 in Unterschleißheim.",
        "Möglichst bald.",
        "Am Montag.",
        "Nein, tschüss.",
    ), {"name": "Anna Schulz", "callback_number": "015123456789", "address": "Anger 4", "concern": ("Heizung", "Geräusche"),
        "urgency": "soon", "reply": "da sind wir im Einsatz", "missing": ()}, kind="question first"),
    Caller("de_question_area_unknown", "de", (
        "Fahren Sie auch nach Augsburg?",
        "Okay, dann versuche ich es woanders. Tschüss.",
    ), {"intent": "question", "reply": "nicht sicher sagen", "missing": ("name", "callback_number")}, kind="question first"),
    Caller("de_emergency_transfer", "de", (
        "Hilfe, bei uns ist ein Rohrbruch im Keller, das Wasser läuft überall!",
        "Ja bitte.",
    ), {"urgency": "emergency", "intent": "emergency", "transferred_to": "office", "concern": ("Rohrbruch",),
        "missing": ("name", "callback_number", "address")}, kind="emergency"),
    Caller("de_emergency_note", "de", (
        "Hilfe, bei uns ist ein Rohrbruch im Keller, das Wasser läuft überall!",
        "Nein, nehmen Sie einfach alles auf.",
        "Martin Schmid, 0171 9988776.",
        "Ja.",
        "Hauptstraße 22, 80331 München.",
        "Nein. Tschüss.",
    ), {"name": "Martin Schmid", "callback_number": "01719988776", "address": "Hauptstraße 22", "urgency": "emergency",
        "intent": "emergency", "concern": ("Rohrbruch",), "transferred_to": "", "missing": ()}, kind="emergency"),
    Caller("de_gas_night_transfer", "de", (
        "Guten Abend, es riecht bei uns im Treppenhaus stark nach Gas.",
        "Ja, bitte verbinden.",
    ), {"urgency": "emergency", "transferred_to": "oncall", "concern": ("Gas",), "reply": "null, eins, sieben, eins"},
        now=NIGHT, kind="emergency"),
    Caller("de_gas_night_note", "de", (
        "Guten Abend, es riecht bei uns im Treppenhaus stark nach Gas.",
        "Nein, schreiben Sie es einfach auf.",
        "Mein Name ist Petra Neumann, Telefon null eins sechs null, eins eins eins, zwei zwei zwei, drei.",
        "Ja, korrekt.",
        "Sonnenstraße 7, 80331 München.",
        "Nein. Auf Wiederhören.",
    ), {"name": "Petra Neumann", "callback_number": "01601112223", "address": "Sonnenstraße 7", "urgency": "emergency",
        "concern": ("Gas",), "missing": ()}, now=NIGHT, kind="emergency"),
    Caller("de_heating_winter", "de", (
        "Unsere Heizung ist komplett ausgefallen und es ist eiskalt in der Wohnung.",
        "Nein danke.",
        "Mein Name ist Yilmaz. Meine Nummer ist null eins sechs null, eins eins zwei, zwei drei drei vier.",
        "Ja.",
        "Schillerstraße 14, München.",
        "Nein, das war alles.",
    ), {"name": "Yilmaz", "callback_number": "01601122334", "address": "Schillerstraße 14", "urgency": "emergency",
        "concern": ("Heizung", "ausgefallen"), "missing": ()}, kind="emergency"),
    Caller("de_message", "de", (
        "Ich wollte nur eine Nachricht für Herrn Huber hinterlassen, er soll mich wegen des Angebots zurückrufen.",
        "Bernd Hoffmann, 089 12345678.",
        "Ja.",
        "Nein danke, tschüss.",
    ), {"name": "Bernd Hoffmann", "callback_number": "08912345678", "intent": "message", "concern": ("Angebot", "zurückrufen"),
        "missing": ()}, kind="message"),
    Caller("de_wants_person_open", "de", (
        "Kann ich bitte mit einem Mitarbeiter sprechen?",
    ), {"transferred_to": "office"}, kind="person"),
    Caller("de_wants_person_closed", "de", (
        "Ich möchte mit einem Menschen sprechen.",
        "Dann sagen Sie bitte, dass Frau Berger wegen der Rechnung angerufen hat.",
        "Null eins sieben sechs, fünf fünf fünf, vier vier vier, drei drei.",
        "Ja.",
        "Nein, tschüss.",
    ), {"name": "Frau Berger", "callback_number": "017655544433", "intent": "message", "concern": ("Rechnung",), "transferred_to": "",
        "missing": ()}, now=SATURDAY, kind="message"),
    Caller("de_silence", "de", ("", "", ""), {"intent": "other", "missing": ("concern", "name", "callback_number")}, kind="silence"),
    Caller("de_unclear_then_ok", "de", (
        "",
        "Hallo? Ja, bei mir ist der Siphon unter der Spüle undicht.",
        "Herbert Roth, 0171 3332221.",
        "Ja.",
    ), {"name": "Herbert Roth", "callback_number": "01713332221", "concern": ("Siphon", "undicht"), "missing": ("address",)},
        kind="silence"),
    Caller("de_hangup", "de", (
        "Bei mir ist der Spülkasten kaputt.",
        "Jürgen Wolf.",
    ), {"name": "Jürgen Wolf", "concern": ("Spülkasten",), "missing": ("callback_number", "address")}, kind="hang-up"),
    Caller("de_hangup_first", "de", (
        "Ja hallo, ich",
    ), {"missing": ("concern", "name", "callback_number")}, kind="hang-up"),
    Caller("de_dtmf", "de", (
        "Die Dusche ist undicht.",
        "Lena Fischer.",
        ("dtmf", "01761234567#"),
        "Ja.",
        "Kirchplatz 2 in Haar.",
        "Nicht dringend.",
        "Donnerstag ab 14 Uhr.",
        "Nein, tschüss.",
    ), {"name": "Lena Fischer", "callback_number": "01761234567", "callback_confirmed": True, "address": "Kirchplatz 2",
        "concern": ("Dusche", "undicht"), "urgency": "no_rush", "window": "Do 26.11.", "missing": ()}, kind="dtmf"),
    Caller("de_chaotic", "de", (
        "Ja äh hallo, also, ähm, ich weiß gar nicht genau, bei uns im Bad, da tropft es von der Decke, glaube ich, von oben.",
        "Wie bitte? Ach so, ja, Krause, Heinz Krause.",
        "Die Nummer, Moment, null acht neun, drei drei, vier vier, fünf fünf.",
        "Ja.",
        "Wir wohnen in der Sonnenstraße 7, 80331 München.",
        "Ja schon eher dringend.",
        "Am besten morgen.",
        "Nein. Danke, tschüss.",
    ), {"name": "Heinz Krause", "callback_number": "089334455", "address": "Sonnenstraße 7", "concern": ("tropft", "Decke"),
        # Water from the ceiling is an emergency since issue 9; the caller's "ja, Krause" is a name, not a yes to the transfer.
        "urgency": "emergency", "window": "26.11.", "missing": ()}, kind="chaotic"),
    Caller("de_company", "de", (
        "Schönen guten Tag, hier spricht Monika Lang von der Lang Immobilien GmbH. In unserem Objekt tropft ein Heizkörper.",
        "Sie erreichen mich unter 089 7654321.",
        "Ja.",
        "Leopoldstraße 40, 80802 München.",
        "Hat Zeit.",
        "Nächste Woche.",
        "Nein danke. Auf Wiederhören.",
    ), {"name": "Monika Lang", "company": "Lang Immobilien GmbH", "callback_number": "0897654321", "address": "Leopoldstraße 40",
        "concern": ("Heizkörper",), "urgency": "no_rush", "missing": ()}),
    Caller("de_asap", "de", (
        "Grüß Gott, Brandl mein Name. Unser Boiler macht kein warmes Wasser mehr, bitte so schnell wie möglich.",
        "Null acht neun, eins zwei, drei vier, fünf sechs.",
        "Ja.",
        "Lindwurmstraße 100, München.",
        "Nein, danke.",
    ), {"name": "Brandl", "callback_number": "089123456", "address": "Lindwurmstraße 100", "concern": ("Boiler",),
        "urgency": "soon", "window": "so schnell wie möglich", "missing": ()}),
    # -- English -----------------------------------------------------------------------------------------------------------------
    Caller("en_simple", "en", (
        "Hi, my name is John Smith, my kitchen tap is leaking.",
        "My number is 0171 2345678.",
        "Yes, that's right.",
        "It's 14 Baker Street, Munich.",
        "No rush.",
        "Next Monday morning.",
        "No, that's all. Goodbye.",
    ), {"name": "John Smith", "callback_number": "01712345678", "callback_confirmed": True, "address": "14 Baker Street",
        "concern": ("tap", "leaking"), "urgency": "no_rush", "window": "Mon", "missing": ()}),
    Caller("en_one_breath", "en", (
        "Hello, this is Sarah Connor from Cyberdyne Ltd, our office toilet is blocked, we're at Leopoldstraße 20, 80802 Munich, "
        "you can call me back on 089 55566677, ideally tomorrow afternoon.",
        "Yes.",
        "It's urgent.",
        "No, thanks, bye.",
    ), {"name": "Sarah Connor", "company": "Cyberdyne Ltd", "callback_number": "08955566677", "address": "Leopoldstraße 20",
        "concern": ("toilet", "blocked"), "urgency": "soon", "window": "26 Nov", "missing": ()}, kind="one breath"),
    Caller("en_question_hours", "en", (
        "Hi, what are your opening hours?",
        "Thanks. I'd also like to get a quote for a new bathroom.",
        "David Brown, 0152 33344455.",
        "Yes.",
        "22 Maple Road, Garching.",
        "No rush.",
        "Sometime next week.",
        "No, bye.",
    ), {"name": "David Brown", "callback_number": "015233344455", "address": "22 Maple Road", "concern": ("quote", "bathroom"),
        "urgency": "no_rush", "reply": "Monday to Thursday", "missing": ()}, kind="question first"),
    Caller("en_question_price", "en", (
        "How much do you charge per hour?",
        "Okay, thanks, bye.",
    ), {"intent": "question", "reply": "68 euros", "missing": ("name", "callback_number")}, kind="question first"),
    Caller("en_emergency_transfer", "en", (
        "There's water pouring through my ceiling, I think a pipe burst!",
        "Yes please.",
    ), {"urgency": "emergency", "transferred_to": "office", "concern": ("pipe",)}, kind="emergency"),
    Caller("en_gas_night", "en", (
        "I can smell gas in my kitchen.",
        "No, just send someone.",
        "Emma Wilson, 0160 1112223.",
        "Yes.",
        "Hauptstraße 3, Haar.",
        "No, bye.",
    ), {"name": "Emma Wilson", "callback_number": "01601112223", "address": "Hauptstraße 3", "urgency": "emergency",
        "concern": ("gas",), "missing": ()}, now=NIGHT, kind="emergency"),
    Caller("en_message", "en", (
        "I just want to leave a message for Mr Huber, please tell him the parts for the boiler have arrived.",
        "Mark Taylor, 0171 4445556.",
        "Yes.",
        "No, that's it, bye.",
    ), {"name": "Mark Taylor", "callback_number": "01714445556", "intent": "message", "concern": ("parts", "arrived"), "missing": ()},
        kind="message"),
    Caller("en_hangup", "en", (
        "My radiator is making a banging noise.",
    ), {"concern": ("radiator",), "missing": ("name", "callback_number")}, kind="hang-up"),
    Caller("en_correction", "en", (
        "The shower drain is blocked.",
        "Peter Green, 0151 12345678.",
        "No, it's 0151 12345679.",
        "Yes.",
        "5 Church Lane, Garching.",
        "Whenever.",
        "Friday.",
        "No, bye.",
    ), {"name": "Peter Green", "callback_number": "015112345679", "callback_confirmed": True, "address": "5 Church Lane",
        "concern": ("drain", "blocked"), "urgency": "no_rush", "window": "Fri", "missing": ()}, kind="correction"),
    Caller("en_silence", "en", ("", "", ""), {"intent": "other", "missing": ("concern", "name", "callback_number")}, kind="silence"),
    Caller("en_dtmf_person", "en", (("dtmf", "0"),), {"transferred_to": "office"}, kind="dtmf"),
)

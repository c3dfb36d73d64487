"""Short replies in either language: yes/no to a read-back, a correction, a goodbye, a wish to speak to a person.

Matched in German and English alike, since Whisper often guesses the language of a one-word answer wrong.
"""

from __future__ import annotations

from voicebridge.dialogue.parsers.names import is_name_word
from voicebridge.dialogue.parsers.number_words import DIGIT_WORDS
from voicebridge.dialogue.parsers.text import PhraseMatch, find_phrase, fold_text, lang_code, phrase_table, tokenize

# Short replies are matched in both languages: Whisper often guesses the language of a one-word answer wrong.
_CORRECTION = phrase_table("falsch", "stimmt nicht", "nicht richtig", "nicht korrekt", "nicht ganz", "ich meinte", "ich meine natürlich", "meinte ich")
_CORRECTION += phrase_table("korrektur", "korrigieren", "korrigiere", "mich verbessern", "verbessere mich", "mich versprochen", "mich vertan")
_CORRECTION += phrase_table("nicht … sondern", "wrong", "not right", "incorrect", "not correct", "i meant", "correction", "let me correct")
_CORRECTION += phrase_table("my mistake", "my bad", "scratch that", "not quite", "actually it's", "actually it is", "not … but")
_CORRECTION_OPENERS = frozenset({"nein", "nee", "ne", "noe", "no", "nope", "nah"})
_CORRECTION_FIELDS = frozenset(
    fold_text(word)
    for word in ("nummer", "telefonnummer", "number", "name", "nachname", "adresse", "address", "straße", "street", "postleitzahl", "plz")
    + ("postcode", "ziffer", "digit", "letzte", "last", "erste", "first", "sondern", "ich sagte", "i said", "heiße")
)
_WANTS_PERSON = phrase_table("einen mitarbeiter", "einem mitarbeiter", "eine mitarbeiterin", "einer mitarbeiterin", "mitarbeiter sprechen")
_WANTS_PERSON += phrase_table("einen menschen", "einem menschen", "echten menschen", "echte person", "echten person", "ansprechpartner")
_WANTS_PERSON += phrase_table("mit jemandem", "jemanden sprechen", "persönlich sprechen", "mit herrn", "mit frau", "mit dem chef", "mit der chefin")
_WANTS_PERSON += phrase_table("den chef", "die chefin", "verbinden sie mich", "mich verbinden", "weiterverbinden", "durchstellen", "weiterleiten")
_WANTS_PERSON += phrase_table("keinen roboter", "kein roboter", "keine maschine", "nicht mit einer maschine", "nicht mit einem computer")
_WANTS_PERSON += phrase_table("operator", "real person", "a person", "a human", "human being", "member of staff", "live agent", "the manager")
_WANTS_PERSON += phrase_table("speak to someone", "talk to someone", "speak with someone", "talk with someone", "speak to somebody", "talk to somebody")
_WANTS_PERSON += phrase_table("speak to a", "talk to a", "speak with a", "your manager", "put me through", "transfer me", "connect me")
_WANTS_PERSON += phrase_table("not a robot", "not a machine", "no robot")
_GOODBYE = phrase_table("tschüss", "tschüs", "tschau", "ciao", "ade", "auf wiederhören", "auf wiedersehen", "wiederhören")
_GOODBYE += phrase_table("bis dann", "bis bald", "bis später", "bis morgen", "schönen tag", "schönen abend", "schönes wochenende")
_GOODBYE += phrase_table("das war's", "das wars", "das wäre alles", "das war alles", "das ist alles", "mehr nicht", "ich lege auf")
_GOODBYE += phrase_table("machen sie's gut", "mach's gut", "machs gut", "bye", "goodbye", "bye-bye", "good bye", "see you", "talk soon")
_GOODBYE += phrase_table("that's all", "that's it", "that is all", "nothing else", "i'll hang up", "take care")
_GOODBYE += phrase_table("have a nice day", "have a good day", "have a good one")
_YES = phrase_table("ja", "jawohl", "jo", "jap", "jep", "jup", "genau", "richtig", "stimmt", "korrekt", "passt", "exakt", "perfekt", "ok", "okay")
_YES += phrase_table("alles klar", "in ordnung", "kein problem", "yes", "yeah", "yep", "yup", "yea", "correct", "right", "exactly", "sure")
_YES += phrase_table("perfect", "absolutely", "spot on", "that's right", "no problem")
_NO_STRONG = phrase_table("falsch", "stimmt nicht", "nicht richtig", "nicht korrekt", "nicht ganz", "passt nicht", "wrong", "incorrect")
_NO_STRONG += phrase_table("not right", "not correct", "not quite", "that's not it")
_NO_PLAIN = phrase_table("nein", "nee", "nö", "no", "nope", "nah")


def parse_correction(text: str, language: str) -> bool:
    """True when the caller corrects something just said or read back ("nein, die Nummer ist …", "sorry, I meant …")."""
    tokens = tokenize(text)
    if find_phrase(tokens, _CORRECTION) is not None:
        return True
    words = [token for token in tokens if token.is_word]
    if not words or words[0].fold not in _CORRECTION_OPENERS or len(words) < 2:
        return False
    # "Nein, danke" and "No, that's all" are answers; a "no" followed by digits, a field or a name is a correction.
    lang = lang_code(language)
    rest = words[1:]
    return any(token.is_digits or token.fold in DIGIT_WORDS[lang] or token.fold in _CORRECTION_FIELDS or is_name_word(token, False) for token in rest)


def wants_person(text: str, language: str) -> bool:
    """True when the caller asks for a human ("einen Mitarbeiter", "mit jemandem sprechen", "a real person", "operator")."""
    return find_phrase(tokenize(text), _WANTS_PERSON) is not None


def is_goodbye(text: str, language: str) -> bool:
    """True when the caller ends the call ("Tschüss", "Auf Wiederhören", "das war's", "bye", "that's all")."""
    return find_phrase(tokenize(text), _GOODBYE) is not None


def _confirmation(text: str) -> bool | None:
    tokens = tokenize(text)
    if find_phrase(tokens, _NO_STRONG) is not None:
        return False  # "Ja, aber die letzte Ziffer ist falsch"
    no = find_phrase(tokens, _NO_PLAIN, negatable=False)
    if tokens and tokens[0].fold == "ne" and len([t for t in tokens if t.is_word]) <= 2:
        no = PhraseMatch(0, 1)  # "ne" only as a whole answer; mid-sentence it means "eine"
    yes = find_phrase(tokens, _YES)
    if yes is not None and (no is None or yes.start < no.start or (yes.start == no.start and yes.end > no.end)):
        return True
    return False if no is not None else None


def is_yes(text: str, language: str) -> bool:
    """True when the caller confirms a read-back ("ja", "genau", "stimmt", "yes", "that's right")."""
    return _confirmation(text) is True


def is_no(text: str, language: str) -> bool:
    """True when the caller rejects a read-back ("nein", "falsch", "no", "wrong"); a later "falsch" beats an earlier "ja"."""
    return _confirmation(text) is False

"""Caller names and companies: "Mein Name ist Peter Müller", "Müller hier", "Frau Dr. Weber", "Meier GmbH", "Firma Schulz".

Titles are kept; a weak cue ("ich bin", "this is") only counts before a capitalised word that can end a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voicebridge.dialogue.parsers.address import NOT_PLACE
from voicebridge.dialogue.parsers.text import NAME_WORD_RE, Token, find_phrase, fold_text, phrase_table, tokenize

# A strong cue is followed by a name even when Whisper lower-cases it; a weak one ("ich bin", "this is") only by a capitalised one.
_NAME_CUES_STRONG = phrase_table("mein name ist", "mein name wäre", "mein name lautet", "mein nachname ist", "ich heiße", "my name is")
_NAME_CUES_STRONG += phrase_table("my name's", "the name is", "the name's", "i'm called", "i am called", "my surname is")
_NAME_CUES_WEAK = phrase_table("hier ist", "hier spricht", "es spricht", "am apparat ist", "ich bin", "this is", "i'm", "i am", "it's", "it is")
_NAME_CUES_AFTER = phrase_table("hier", "am apparat", "mein name", "speaking", "here")
_TITLES = frozenset({"herr", "herrn", "frau", "dr", "prof", "doktor", "mr", "mrs", "ms", "miss", "mister"})
# "vom" is not among them: "Frau Roth vom Fliesenhandel Roth" names where she calls from.
_PARTICLES = frozenset({"von", "van", "de", "zu", "di", "da", "le", "la"})
# Surnames that are also everyday words (and so on the stop lists): a name after a title, a first name or "mein Name ist".
WORD_SURNAMES = frozenset(
    fold_text(word)
    for word in ("keller", "sommer", "winter", "koch", "stock", "haus", "dach", "jahr", "ende", "garten", "strom", "froh", "moment", "bad", "morgen")
)
_NAME_FOLLOWERS = frozenset(
    fold_text(word)
    for word in (
        "von",
        "vom",
        "aus",
        "bei",
        "from",
        "of",
        "at",
        "with",
        "und",
        "and",
        "ich",
        "i",
        "hier",
        "here",
        "am",
        "mein",
        "meine",
        "my",
    )
    + ("wir", "we", "speaking", "calling", "again", "nochmal", "nochmals", "noch", "wegen", "about", "regarding", "bezüglich")
)
_GREETING_WORDS = frozenset({"ja", "hallo", "hi", "hello", "hey", "ok", "okay", "so", "also", "guten", "tag", "good", "morning", "gruess", "gott"})
_NOT_NAME = NOT_PLACE | frozenset(
    fold_text(word)
    for word in (
        "hier",
        "da",
        "ein",
        "eine",
        "einen",
        "firma",
        "company",
        "a",
        "an",
        "so",
        "sorry",
        "entschuldigung",
        "well",
        "äh",
        "ähm",
        "hm",
    )
    + (
        "heizung",
        "wasser",
        "strom",
        "gas",
        "mieter",
        "mieterin",
        "vermieter",
        "vermieterin",
        "eigentümer",
        "eigentümerin",
        "kunde",
        "kundin",
    )
    + (
        "hausmeister",
        "hausverwaltung",
        "nachbar",
        "nachbarin",
        "tenant",
        "landlord",
        "owner",
        "customer",
        "neighbour",
        "neighbor",
        "calling",
    )
    + ("gerade", "leider", "wieder", "froh", "nicht", "kein", "not", "just", "this", "that", "it", "is", "here", "speaking", "der", "die")
    + ("hi", "hello", "hey", "guten", "tag", "good", "gmbh", "ltd", "inc", "llc", "ag", "kg", "ug", "urgent", "dringend", "interested")
)

_LEGAL_FORMS = (
    r"(?i:gmbh)(?:\s*&\s*Co\.?\s*KG)?",
    r"gGmbH",
    r"KGaA",
    r"AG",
    r"KG",
    r"OHG",
    r"UG(?:\s*\(haftungsbeschränkt\))?",
    r"GbR",
    r"e\.\s?K\.?",
    r"e\.\s?V\.?",
    r"Ltd\.?",
    r"Limited",
    r"Inc\.?",
    r"LLC",
    r"LLP",
    r"PLC",
    r"plc",
    r"Corp\.?",
    r"(?:&|und|and)\s+(?:Co\.?|Söhne|Sons|Partner(?:\s+mbB)?|Partners)",
)
_COMPANY_RE = re.compile(rf"(?P<name>(?:(?:[A-ZÄÖÜ0-9][\w'.-]*|&)\s+){{1,4}})(?P<form>{'|'.join(_LEGAL_FORMS)})(?![\w])")
# Capitalised words that can stand before a company name at the start of a sentence without being part of it.
_COMPANY_LEADS = NOT_PLACE | frozenset({"firma", "company", "von", "vom", "from", "hier", "here", "this", "ist", "is", "bei", "für", "fuer", "for"})
_COMPANY_CUES = phrase_table("firma", "company", "firm", "the company", "the firm")


def is_name_word(token: Token, lenient: bool) -> bool:
    return (token.is_capitalised or lenient) and bool(NAME_WORD_RE.fullmatch(token.text)) and token.fold not in _NOT_NAME


def _name_from(text: str, tokens: Sequence[Token], j: int, *, lenient: bool, strict_end: bool) -> tuple[str, int] | None:
    """The name starting at token j ("Frau Schmidt", "Hans Meier", "Anna van Dijk") and the index after it."""
    n = len(tokens)
    if j < n and tokens[j].fold in ("der", "die") and not lenient:
        j += 1  # "ich bin der Hans"
    start = j
    while j < n and tokens[j].fold in _TITLES:
        j += 2 if j + 1 < n and tokens[j + 1].text == "." else 1
    titled = j > start
    words = 0
    while j < n and words < 3:
        token = tokens[j]
        if lenient and not token.is_capitalised and token.fold in _NAME_FOLLOWERS and token.fold not in _PARTICLES:
            break  # "My name is Thomas Becker from the …": a lower-case "from" ends even a leniently read name
        if is_name_word(token, lenient) or (token.fold in WORD_SURNAMES and (token.is_capitalised or lenient) and (words or titled or lenient)):
            words, j = words + 1, j + 1
        elif (
            # "Anna van Dijk", "Frau von Bülow"; but "Herr Schmidt von der Firma …", "Peter Müller von Siemens" say where from.
            (words == 1 and not titled or words == 0 and titled)
            and token.fold in _PARTICLES
            and j + 1 < n
            and tokens[j + 1].is_capitalised
            and is_name_word(tokens[j + 1], False)
        ):
            j += 1
        else:
            break
    if not words:
        return None
    # "Hier ist die Heizung kaputt": a weak cue needs the name to end where a name can end.
    if strict_end and j < n and tokens[j].is_word and tokens[j].fold not in _NAME_FOLLOWERS:
        return None
    name = " ".join(text[tokens[start].start : tokens[j - 1].end].split())
    return (name.title() if lenient and name.islower() else name), j


def _name_match(text: str, tokens: Sequence[Token]) -> tuple[str, int] | None:
    for cues, lenient in ((_NAME_CUES_STRONG, True), (_NAME_CUES_WEAK, False)):
        position = 0
        while (cue := find_phrase(tokens, cues, negatable=False, start=position)) is not None:
            found = _name_from(text, tokens, cue.end, lenient=lenient, strict_end=not lenient)
            if found:
                return found
            position = cue.start + 1
    for i in range(len(tokens)):
        # "Müller hier", "John Smith speaking": only at the start of a clause, so "das Wasser hier" is no name.
        if i and tokens[i - 1].is_word and tokens[i - 1].fold not in _GREETING_WORDS:
            continue
        found = _name_from(text, tokens, i, lenient=False, strict_end=False)
        if found is None or tokens[i].fold in ("der", "die"):
            continue
        cue = find_phrase(tokens[: found[1] + 2], _NAME_CUES_AFTER, negatable=False, start=found[1])
        if cue and cue.start == found[1] and (cue.end == len(tokens) or not tokens[cue.end].is_word or tokens[cue.end].fold in _GREETING_WORDS):
            return found
    return None


def parse_name(text: str, language: str) -> str | None:
    """The caller's name from a self-introduction ("Mein Name ist Peter Müller", "Müller hier", "This is John Smith"), titles kept."""
    found = _name_match(text, tokenize(text))
    return found[0] if found else None


def parse_company(text: str, language: str) -> str | None:
    """The caller's company: a name with a legal form ("Meier GmbH", "Acme Ltd") or after "Firma"/"company"."""
    for m in _COMPANY_RE.finditer(text):
        words = m.group("name").split()
        while words and fold_text(words[0]) in _COMPANY_LEADS and fold_text(words[0]) not in WORD_SURNAMES:
            words.pop(0)  # "Firma Meier GmbH" at the start of a sentence
        if words:
            return " ".join(words) + " " + m.group("form")
    tokens = tokenize(text)
    cue = find_phrase(tokens, _COMPANY_CUES, negatable=False)
    if cue is None:
        return _company_after_name(text, tokens)
    j = cue.end
    while j < len(tokens) and (tokens[j].is_capitalised or tokens[j].text == "&") and j - cue.end < 4 and tokens[j].fold not in _NOT_NAME:
        j += 1
    return text[tokens[cue.end].start : tokens[j - 1].end] if j > cue.end else None


# "Frau Roth vom Fliesenhandel Roth", "Dr. Weber von der Hausverwaltung Schulz", "Mrs Kaczmarek from Kaczmarek Builders".
_FROM_WORDS = frozenset({"von", "vom", "bei", "from", "at", "with", "of"})
_FROM_ARTICLES = frozenset({"der", "die", "dem", "den", "the"})
_COMPANY_STOPS = frozenset(
    fold_text(word) for word in ("ich", "wir", "sie", "er", "es", "mein", "meine", "unser", "unsere", "und", "aber", "hier", "i", "we", "my", "our", "and")
) | frozenset(("but", "here", "calling", "speaking", "ja", "yes", "wegen", "about"))
# One English word after "from" is usually a place ("John Smith from London"); these make it a business.
_BUSINESS_WORDS = frozenset(
    ("builders", "building", "plumbing", "plumbers", "electrics", "electrical", "heating", "roofing", "services", "solutions")
    + ("construction", "properties", "property", "lettings", "estates", "management", "housing", "associates", "group", "partners")
    + ("sons", "brothers", "bros", "homes", "maintenance", "facilities", "agency", "council", "trust", "school", "hotel", "restaurant")
)


def _company_after_name(text: str, tokens: Sequence[Token]) -> str | None:
    found = _name_match(text, tokens)
    if found is None:
        return None
    j = found[1]
    if j >= len(tokens) or tokens[j].fold not in _FROM_WORDS:
        return None
    english = tokens[j].fold in ("from", "at", "with", "of")
    j += 1
    if j < len(tokens) and tokens[j].fold in _FROM_ARTICLES:
        j += 1
    if j < len(tokens) and tokens[j].fold in ("firma", "company", "firm"):
        j += 1
    first = j
    while j < len(tokens) and j - first < 5:
        joined = tokens[j].fold in ("&", "und", "and") and j + 1 < len(tokens) and tokens[j + 1].is_capitalised  # "Braun und Partner"
        # "Praxis Dr. Winter": the title's dot is not the end of the sentence.
        joined = joined or (tokens[j].text == "." and j > first and tokens[j - 1].fold in ("dr", "prof") and j + 1 < len(tokens)
                            and tokens[j + 1].is_capitalised)
        if not (joined or (tokens[j].is_capitalised and tokens[j].fold not in _COMPANY_STOPS)):
            break
        j += 1
    if j == first or tokens[j - 1].text == "&":
        return None
    words = [token.fold for token in tokens[first:j]]
    if english and len(words) < 2 and not set(words) & _BUSINESS_WORDS:
        return None
    return text[tokens[first].start : tokens[j - 1].end]

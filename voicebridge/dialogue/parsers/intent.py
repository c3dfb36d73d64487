"""What a call is for, beyond the fields: a quote request, a follow-up on an existing job (with its order or invoice number), a message.

For the policy and the note: `detect_intent` names the intent, `parse_reference` and `parse_message` give what goes with it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from voicebridge.dialogue.parsers.number_words import CARDINALS, DIGIT_WORDS
from voicebridge.dialogue.parsers.text import Token, find_phrase, fold_text, lang_code, phrase_table, tokenize

ReferenceKind = Literal["order", "invoice", "customer", "quote"]
Intent = Literal["message", "follow_up", "quote"]

_QUOTE = phrase_table("angebot", "*kostenvoranschlag", "kosten vor anschlag", "*kostenvor", "kostenschätzung", "preisanfrage", "was kostet")
_QUOTE += phrase_table("was würde … kosten", "was wird … kosten", "wie teuer", "was … ungefähr kosten", "mit welchen kosten", "preis für")
_QUOTE += phrase_table("ungefähr kosten", "kosten würde", "kostet das", "kostet so", "was nehmen sie für")
_QUOTE += phrase_table("unverbindlich", "kalkulation", "quote", "quotation", "estimate", "how much would", "how much does", "how much is")
_QUOTE += phrase_table("how much will", "what would it cost", "what does it cost", "price for", "pricing", "cost of", "ballpark")
# An existing job: the caller refers to work done, booked or billed, or complains about it.
_FOLLOW_UP = phrase_table("mein auftrag", "meinen auftrag", "meinem auftrag", "unser auftrag", "unseren auftrag", "unserem auftrag")
_FOLLOW_UP += phrase_table("ihre rechnung", "der rechnung", "die rechnung", "meine rechnung", "meiner rechnung", "reklamation", "beschwerde")
_FOLLOW_UP += phrase_table("beschweren", "nachbesserung", "immer noch nicht", "noch immer nicht", "schon wieder kaputt", "wieder kaputt")
_FOLLOW_UP += phrase_table("ihr monteur", "ihr mitarbeiter", "ihr kollege", "ihre kollegen", "ihre leute", "waren … bei uns", "war … bei uns")
_FOLLOW_UP += phrase_table("haben … eingebaut", "haben … repariert", "haben … installiert", "letzte woche da", "nachfragen", "stand der dinge")
_FOLLOW_UP += phrase_table("wie weit", "my order", "the order", "our order", "my invoice", "the invoice", "your invoice", "the bill", "complaint")
_FOLLOW_UP += phrase_table("complain", "still not working", "still not fixed", "broken again", "your engineer", "your plumber", "your fitter")
_FOLLOW_UP += phrase_table("you were here", "you came", "you fitted", "you installed", "you repaired", "follow up", "following up", "existing job")
_FOLLOW_UP += phrase_table("the work you did", "job you did", "chasing", "any news on", "update on")
# An earlier job named without its number: "wegen meines Auftrags", "zur Rechnung", "der Hahn tropft schon wieder".
_FOLLOW_UP += phrase_table("rechnung", "schon wieder", "techniker war", "monteur war", "handwerker war", "engineer came", "plumber came")
_FOLLOW_UP += phrase_table("again")
# Every word that starts with one of these names an order: "Auftrags", "Auftragsbestätigung" (German inflects with -s).
_FOLLOW_UP_STEMS = ("auftrag",)
# "again" about the call, not the job: "say that again", "I'll call again".
_NOT_AGAIN = frozenset(("say", "repeat", "call", "ring", "try", "spell", "that", "once", "come"))

# Labels of a reference number, by the stem a German compound or an English phrase starts with; Whisper writes "Auftragsmummer".
_LONG_QUOTE_WORDS = ("kostenvoranschlag", "kostenvoranschlaege", "kostenschaetzung")
_REFERENCE_STEMS: tuple[tuple[str, ReferenceKind], ...] = (
    ("auftrag", "order"),
    ("bestell", "order"),
    ("vorgang", "order"),
    ("projekt", "order"),
    ("aktenzeichen", "order"),
    ("ticket", "order"),
    ("order", "order"),
    ("job", "order"),
    ("booking", "order"),
    ("reference", "order"),
    ("referenz", "order"),
    ("ref", "order"),
    ("rechnung", "invoice"),
    ("invoice", "invoice"),
    ("bill", "invoice"),
    ("kunden", "customer"),
    ("customer", "customer"),
    ("account", "customer"),
    ("angebot", "quote"),
    ("quote", "quote"),
)
_NUMBER_WORDS = frozenset(("nummer", "mummer", "nr", "number", "no", "num", "#", "nummern"))
_SELF_LABELLED = frozenset(("aktenzeichen", "reference", "referenz", "ref", "ticket"))
_LINKS = frozenset(("ist", "lautet", "war", "is", "was", "die", "the", "da", "ja", "also", "aeh", "aehm", "um", "uh", ":", ","))
_SPELLED_DIGITS_RE = re.compile(r"\d(?:-\d)+")
_CODE_RE = re.compile(r"(?=.*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")

_TITLE_RE = r"(?i:herrn?|herren|frau|dr\.?|doktor|mr\.?|mrs\.?|ms\.?|miss|mister)"
# The cue words are matched in any case (Whisper's capitals are a guess), the name only when capitalised.
_PERSON = rf"(?P<who>(?:{_TITLE_RE}\s+)?(?:Dr\.?\s+)?[A-ZÄÖÜ][\wäöüß'-]+(?:\s+[A-ZÄÖÜ][\wäöüß'-]+)?)"
_MESSAGE_RES = {
    "de": (
        # "Richten Sie Herrn Huber aus, dass …"; Whisper: "Brichten Sie herren Huber aus".
        re.compile(rf"(?i:\b\w*richten\s+sie\s+(?:bitte\s+)?){_PERSON}(?i:\s+(?:bitte\s+)?aus\b)[,.]?\s*(?P<what>.*)"),
        # ...with the verb garbled past that ("Briechen Sie herren Huber aus, dass …"): "<verb> Sie <person> aus, dass".
        re.compile(rf"(?i:\b\w+en\s+sie\s+(?:bitte\s+)?){_PERSON}(?i:\s+(?:bitte\s+)?aus)[,.]?\s*(?P<what>(?i:dass|das)\b.*)"),
        re.compile(rf"(?i:\b(?:sagen|geben)\s+sie\s+(?:bitte\s+)?){_PERSON}(?i:\s+(?:bitte\s+)?(?:bescheid|mal)?\b)[,.]?\s*(?P<what>(?i:dass|das)\b.*)"),
        re.compile(
            rf"(?i:\b(?:können|könnten|würden)\s+sie\s+(?:bitte\s+)?){_PERSON}"
            rf"(?i:\s+(?:bitte\s+)?(?:ausrichten|sagen|bescheid\s+(?:geben|sagen))\b)[,.]?\s*(?P<what>.*)"
        ),
        re.compile(rf"(?i:\b(?:nachricht|botschaft|info)\s+(?:für|an)\s+){_PERSON}\b[,.:]?\s*(?P<what>.*)"),
    ),
    "en": (
        re.compile(rf"(?i:\b(?:tell|inform|remind)\s+){_PERSON}\s+(?i:that\s+)?(?P<what>.*)"),
        re.compile(rf"(?i:\blet\s+){_PERSON}(?i:\s+know\s+(?:that\s+)?)(?P<what>.*)"),
        re.compile(rf"(?i:\b(?:message|note)\s+for\s+){_PERSON}\b[,.:]?\s*(?i:that\s+)?(?P<what>.*)"),
        re.compile(rf"(?i:\bpass\s+(?:on\s+)?(?:a\s+message|this|that|it)\s+(?:on\s+)?to\s+){_PERSON}\b[,.:]?\s*(?i:that\s+)?(?P<what>.*)"),
    ),
}
# A message without a named recipient ("Können Sie ihm etwas ausrichten?", "let them know"): still a message.
_MESSAGE_CUE_RE = re.compile(
    r"\b(nachricht|ausrichten|bescheid geben|sagen sie (?:ihm|ihr|bitte|herrn?|frau)|message|let \w+ know|"
    r"tell (?:him|her|them|mr|mrs|ms|miss)|pass (?:it |that )?on)\b",
    re.I,
)
_COMPLAINT_RE = re.compile(r"\b(beschwerde|reklamation|beschweren|unzufrieden|complain|complaint)\b", re.I)
# The words that name a price request; they count even in a question ("Machen Sie auch Angebote?").
_QUOTE_NAMED_RE = re.compile(r"\b(angebot\w*|kostenvoranschl\w*|kostenschätzung|quote|quotation|estimate)\b", re.I)
_NOT_RECIPIENT = frozenset(fold_text(w) for w in ("me", "us", "him", "her", "them", "you", "mir", "uns", "ihm", "ihr", "ihnen", "bitte", "mal"))
_NOT_RECIPIENT |= frozenset(("whether", "if", "what", "how", "when", "where", "why", "ob", "was", "wie", "wann", "wo", "warum", "everyone"))


@dataclass(frozen=True)
class Reference:
    """An order, invoice, customer or quote number the caller gave: `number` as said, digits and letters, spaces dropped."""

    kind: ReferenceKind
    number: str


@dataclass(frozen=True)
class Message:
    """A message for a named person: whom it is for ("Herrn Huber", "Mr Huber") and what to pass on."""

    recipient: str
    text: str


def is_quote_request(text: str, language: str) -> bool:
    """True when the caller wants a price before any work: "ein Angebot", "Kostenvoranschlag", "was kostet …", "a quote", "estimate"."""
    tokens = tokenize(text)
    said = find_phrase(tokens, _QUOTE, inflect=True) is not None or any(_sounds_like(token.fold, _LONG_QUOTE_WORDS) for token in tokens)
    return said and parse_reference(text, language) is None


def names_quote(text: str) -> bool:
    """True when the caller names a price request ("Angebot", "Kostenvoranschlag", "quote", "estimate"), even in a
    question, and even with a number ("Angebotsnummer 4711"): `is_quote_request`'s wider "was kostet …" is not included."""
    return _QUOTE_NAMED_RE.search(text) is not None


def is_complaint(text: str) -> bool:
    """True when the caller complains ("Reklamation", "ich möchte mich beschweren", "a complaint"), in either language."""
    return _COMPLAINT_RE.search(text) is not None


def asks_to_pass_on(text: str, language: str) -> bool:
    """True when the caller leaves a message, for a named person (`parse_message`) or not ("Können Sie ihm etwas
    ausrichten?", "please let them know")."""
    return _MESSAGE_CUE_RE.search(text) is not None or parse_message(text, language) is not None


def _sounds_like(fold: str, words: tuple[str, ...]) -> bool:
    # Long compounds survive Whisper's misspellings in shape ("Koffenforrandschlag"); short words would match too much.
    return len(fold) >= 12 and any(difflib.SequenceMatcher(None, fold, word).ratio() >= 0.75 for word in words)


def is_follow_up(text: str, language: str) -> bool:
    """True when the call is about an existing job: its order or invoice number, the work done, or a complaint about it.

    An order named without its number counts ("wegen meines Auftrags", "zur Rechnung"), and so does a fault that is back
    ("tropft schon wieder", "leaking again"); "could you say that again?" does not.
    """
    if parse_reference(text, language) is not None:
        return True
    tokens = tokenize(text)
    if any(token.fold.startswith(_FOLLOW_UP_STEMS) for token in tokens):
        return True
    start = 0
    while (match := find_phrase(tokens, _FOLLOW_UP, inflect=True, start=start)) is not None:
        if tokens[match.start].fold != "again" or not any(t.fold in _NOT_AGAIN for t in tokens[max(0, match.start - 3) : match.start]):
            return True
        start = match.start + 1
    return False


def parse_reference(text: str, language: str) -> Reference | None:
    """The first labelled reference number: "Auftragsnummer 45678", "Rechnungsnummer ist RE-2026-17", "order number one two three".

    Spoken digits become digits ("vier fünf sechs" → "456"). A label without a number gives None.
    """
    lang = lang_code(language)
    text = text.replace("#", " # ")
    tokens = tokenize(text)
    for index in range(len(tokens)):
        kind, after = _label_at(tokens, index)
        if kind is None:
            continue
        number = _number_after(text, tokens, after, lang)
        if number:
            return Reference(kind, number)
    return None


def parse_message(text: str, language: str) -> Message | None:
    """A message for a named person: "Richten Sie Herrn Huber aus, dass die Heizkörper da sind", "Could you tell Mr Huber that …"."""
    lang = lang_code(language)
    for regex in _MESSAGE_RES[lang] + _MESSAGE_RES["en" if lang == "de" else "de"]:
        m = regex.search(text)
        if m is None:
            continue
        who = " ".join(m.group("who").split())
        if fold_text(who.split()[0]) in _NOT_RECIPIENT or not re.search(r"[A-ZÄÖÜ]", who):
            continue
        what = re.sub(r"^(?:dass|das|that)\s+", "", m.group("what").strip(), flags=re.I).strip(" ,.!?")
        return Message(_tidy_title(who), what)
    return None


def detect_intent(text: str, language: str) -> Intent | None:
    """The intent one utterance makes clear, or None: a message for a named person beats a follow-up beats a quote request."""
    if parse_message(text, language) is not None:
        return "message"
    if is_follow_up(text, language):
        return "follow_up"
    if is_quote_request(text, language):
        return "quote"
    return None


def _tidy_title(who: str) -> str:
    # Whisper lower-cases and inflects titles ("herren Huber"); the note reads "Herrn Huber".
    first, _, rest = who.partition(" ")
    titles = {"herrn": "Herrn", "herren": "Herrn", "herr": "Herr", "frau": "Frau", "mr": "Mr", "mrs": "Mrs", "ms": "Ms", "mister": "Mr"}
    title = titles.get(fold_text(first).rstrip("."))
    return f"{title} {rest}" if title and rest else who


def _label_at(tokens: list[Token], index: int) -> tuple[ReferenceKind | None, int]:
    """(kind, index after the label) when tokens[index] starts a reference label, else (None, index)."""
    fold = tokens[index].fold
    for stem, kind in _REFERENCE_STEMS:
        if not fold.startswith(stem):
            continue
        rest = fold[len(stem) :].lstrip("s-")
        if rest in _NUMBER_WORDS or any(rest.endswith(word) for word in ("nummer", "mummer")):
            return kind, index + 1  # "Auftragsnummer", "Rechnungsnr", "Kundennummer"
        nxt = tokens[index + 1].fold.rstrip(".") if index + 1 < len(tokens) else ""
        if rest == "" and nxt in _NUMBER_WORDS:
            return kind, index + 2  # "order number", "invoice no.", "Auftrag Nr"
        if rest == "" and fold in _SELF_LABELLED:
            return kind, index + 1  # "Aktenzeichen 12/345", "reference AB-123"
    return None, index


def _number_after(text: str, tokens: list[Token], j: int, lang: str) -> str:
    while j < len(tokens) and tokens[j].fold in _LINKS | {"."}:
        j += 1
    parts: list[str] = []
    digit_words = DIGIT_WORDS[lang] | DIGIT_WORDS["de" if lang == "en" else "en"]
    while j < len(tokens) and len("".join(parts)) < 24:
        token = tokens[j]
        if parts and text[tokens[j - 1].end : token.start] == "/":
            parts.append("/")  # "12/345": the tokenizer drops the slash, the number keeps it
        if _CODE_RE.fullmatch(token.text):
            # "1-2-3-4-5" is five digits said one by one; "RE-2026-17" keeps its dashes.
            parts.append(token.text.replace("-", "") if _SPELLED_DIGITS_RE.fullmatch(token.text) else token.text.upper())
        elif token.fold in digit_words and token.fold not in ("o", "oh") or (token.fold in ("o", "oh") and parts):
            parts.append(digit_words[token.fold])
        elif (value := CARDINALS[lang].get(token.fold)) is not None and value >= 10:
            parts.append(str(value))  # "vierunddreißig"
        elif token.text in (",", "-") and parts and j + 1 < len(tokens) and _is_number_part(tokens[j + 1], lang):
            pass  # "4, 5, 6, 7, 8": Whisper's commas between spoken digits
        elif token.text == "." and parts and j + 1 < len(tokens) and tokens[j + 1].is_digits and tokens[j + 1].start == token.end:
            pass  # "12.345": a thousands dot inside the number, not the sentence's full stop
        elif (not parts and token.text.isalpha() and token.text.isupper() and len(token.text) <= 2 and j + 1 < len(tokens)
              and tokens[j + 1].text[0].isdigit() and _CODE_RE.fullmatch(tokens[j + 1].text)):
            parts.append(token.text)  # "RE 2026-17", "AB 1234": a letter prefix said apart from its digits
        else:
            break
        j += 1
    return "".join(parts)


def _is_number_part(token: Token, lang: str) -> bool:
    return bool(_CODE_RE.fullmatch(token.text)) or token.fold in DIGIT_WORDS[lang] or token.fold in CARDINALS[lang]

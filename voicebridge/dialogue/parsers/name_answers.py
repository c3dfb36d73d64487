"""Answers to "Wie ist Ihr Name?": a bare name ("Ja, Meier."), surname first ("Hartmann, Elfriede"), spelled ("K, O, W, A, …").

And completing a name heard earlier: "Frau Hartmann" plus a later "Elfriede" is "Elfriede Hartmann".
"""

from __future__ import annotations

import re

from voicebridge.dialogue.parsers.names import WORD_SURNAMES, is_name_word, parse_name
from voicebridge.dialogue.parsers.text import Token, fold_text, tokenize

_TITLES = frozenset({"herr", "herrn", "frau", "dr", "prof", "doktor", "mr", "mrs", "ms", "miss", "mister"})
_ACADEMIC = frozenset({"dr", "prof", "doktor"})
_FILLERS = frozenset(
    fold_text(word)
    for word in ("ja", "jaa", "also", "äh", "ähm", "ehm", "hm", "hallo", "guten", "tag", "morgen", "abend", "grüß", "gott", "servus", "moin")
) | frozenset(("yes", "yeah", "well", "um", "uh", "hi", "hello", "so", "ok", "okay", "genau", "sure", "it", "its", "it's", "the", "name"))
_FILLERS |= frozenset(fold_text(word) for word in ("mein", "name", "ist", "wäre", "lautet", "der", "nachname", "vorname", "is", "my", "surname"))
_FILLERS |= frozenset(("first", "von", "mir", "aus", "gerne", "gern", "bitte", "please", "danke", "thanks"))
# The shape of a spelled letter: "K", "k.", or a run Whisper glued together ("K-O-W-A-L-S-K-I").
_LETTER_RE = re.compile(r"[^\W\d_]")
_GLUED_LETTERS_RE = re.compile(r"[^\W\d_](?:-[^\W\d_])+")
# Letter names that are not everyday words ("er", "es", "de", "be" are, so they only count as capitals).
_LETTER_NAMES = {"jot": "j", "vau": "v", "ypsilon": "y", "zett": "z", "eszett": "ß", "ix": "x", "ka": "k", "ku": "q", "pe": "p", "te": "t"}
_LETTER_NAMES |= {"ha": "h", "ge": "g", "ef": "f", "el": "l", "em": "m", "ae": "ä", "oe": "ö", "ue": "ü"}
# Parts of an answer: "Hartmann, Elfriede", "Kowalski. K, O, …"; the dot of "Dr. Becker" does not split.
_PARTS_RE = re.compile(r"[,;]|\s-\s|(?<!\bDr)(?<!\bProf)(?<!\bMr)(?<!\bMrs)(?<!\bMs)\.\s")
_DOUBLE = frozenset({"doppel", "double", "doppelt"})
# Enough common first names to tell "Hartmann, Elfriede" (surname first) from "Elfriede, Hartmann"; German, Turkish, Polish, English.
_FIRST_NAMES = frozenset(
    fold_text(name)
    for name in (
        "Anna Maria Elfriede Ursula Monika Petra Sabine Andrea Claudia Susanne Martina Karin Birgit Heike Gabriele Renate Helga Ingrid "
        "Julia Laura Lena Lea Sarah Sara Lisa Katharina Christina Stefanie Nicole Sandra Melanie Jana Sophie Marie Emma Mia Hannah Greta "
        "Peter Hans Klaus Jürgen Michael Thomas Andreas Stefan Wolfgang Frank Uwe Dieter Horst Werner Günter Karl Heinz Walter Manfred "
        "Jan Lukas Tim Felix Paul Jonas Max Leon Florian Tobias Markus Martin Christian Daniel Sebastian Alexander Matthias Johannes "
        "Mehmet Ahmet Mustafa Ali Hasan Hüseyin Ibrahim Murat Emre Can Burak Ayşe Ayse Fatma Emine Hatice Zeynep Elif Merve Yusuf Ömer "
        "Piotr Krzysztof Tomasz Paweł Pawel Marek Grzegorz Agnieszka Katarzyna Małgorzata Malgorzata Magdalena Joanna Ewa Zofia Jakub "
        "John James Robert David William Richard Joseph Charles George Edward Mary Patricia Jennifer Linda Elizabeth Susan Margaret Emily "
        "Oliver Harry Jack Thomas Charlotte Amelia Olivia Isla Sophia Chloe Grace Lucy Kate Sean Liam Noah Ethan"
    ).split()
)


def parse_spelled_name(text: str, language: str) -> str | None:
    """A name spelled letter by letter ("K, O, W, A, L, S, K, I", "K-O-W-A-L-S-K-I", "K wie Konrad, O wie Otto …"), or None.

    Three letters at least; "doppel L"/"double L" counts twice. The result is capitalised: "Kowalski".
    """
    letters: list[str] = []
    best: list[str] = []
    tokens = tokenize(text)
    index, double = 0, False
    while index < len(tokens):
        token = tokens[index]
        letter = _letter(tokens, index, in_run=bool(letters))
        if letter is not None:
            letters.extend(letter * (2 if double else 1))
            double = False
            index += _spelling_width(tokens, index)
            continue
        if token.fold in _DOUBLE:
            double = True
        elif token.text not in (",", ".", "-") or (token.text == "." and index + 1 < len(tokens) and _letter(tokens, index + 1, True) is None):
            best, letters = max(best, letters, key=len), []
        index += 1
    best = max(best, letters, key=len)
    if len(best) < 3:
        return None
    word = "".join(best)
    return word[0].upper() + word[1:].lower()


def parse_name_answer(text: str, language: str) -> str | None:
    """The name in the answer to the name question: spelled, introduced ("Mein Name ist …"), or bare ("Ja, Meier.", "Koch, Herr Koch").

    "Hartmann, Elfriede" (surname first, as forms have it) gives "Elfriede Hartmann". None when the answer is a sentence about
    something else.
    """
    spelled = parse_spelled_name(text, language)
    if spelled is not None:
        return spelled
    introduced = parse_name(text, language)
    if introduced is not None:
        return introduced
    parts = [_bare_name(part) for part in _PARTS_RE.split(text.strip().rstrip(".!?")) if part.strip()]
    parts = [part for part in parts if part != ""]
    if not parts or any(part is None for part in parts) or len(parts) > 2:
        return None
    names = [part for part in parts if part]
    if len(names) == 1:
        return names[0]
    first, second = names[0], names[1]
    if fold_text(first) in fold_text(second) or fold_text(second) in fold_text(first):
        return max(first, second, key=len)  # "Schneider, Hans Schneider", "Koch, Herr Koch"
    if len(first.split()) == 1 and len(second.split()) == 1:
        # "Hartmann, Elfriede": surname first, unless the first one is the first name ("Elfriede, Hartmann").
        return f"{first} {second}" if _is_first_name(first) and not _is_first_name(second) else f"{second} {first}"
    return None


def complete_name(known: str, text: str, language: str) -> str | None:
    """`known` ("Frau Hartmann") completed by a later answer ("Hartmann, Elfriede", "Elfriede", "Vorname Elfriede") → "Elfriede Hartmann".

    A social title gives way to the first name, an academic one stays ("Dr. Elfriede Hartmann"). None when the answer adds no first
    name to the same surname.
    """
    known_words = known.split()
    titles = [word for word in known_words if fold_text(word).rstrip(".") in _TITLES]
    names = [word for word in known_words if word not in titles]
    if not names:
        return None
    heard = parse_name_answer(text, language)
    if heard is None:
        return None
    heard_names = [word for word in heard.split() if fold_text(word).rstrip(".") not in _TITLES]
    surname = names[-1]
    academic = [word for word in titles if fold_text(word).rstrip(".") in _ACADEMIC]
    if len(heard_names) == 1 and fold_text(heard_names[0]) != fold_text(surname) and len(names) == 1:
        first = heard_names[0]
    elif len(heard_names) >= 2 and fold_text(heard_names[-1]) == fold_text(surname) and len(heard_names) > len(names):
        first = " ".join(heard_names[:-1])
    else:
        return None
    return " ".join([*academic, first, surname])


def _is_first_name(word: str) -> bool:
    return fold_text(word) in _FIRST_NAMES


def _bare_name(part: str) -> str | None:
    """The name a comma-separated part of the answer holds ("Herr Koch", "Meier"); "" for a filler only; None for anything else."""
    tokens = [token for token in tokenize(part) if token.is_word]
    while tokens and tokens[0].fold in _FILLERS:
        tokens.pop(0)
    if not tokens:
        return ""
    words = [token for token in tokens if token.fold not in _TITLES and token.fold != "."]
    titled = len(words) < len(tokens)
    if not 1 <= len(words) <= 3:
        return None
    for position, token in enumerate(words):
        if not (is_name_word(token, False) or (token.fold in WORD_SURNAMES and token.is_capitalised)):
            if not (titled or position) or token.fold not in WORD_SURNAMES:
                return None
    return " ".join(part[tokens[0].start : tokens[-1].end].split())


def _letter(tokens: list[Token], index: int, in_run: bool) -> str | None:
    token = tokens[index]
    if _GLUED_LETTERS_RE.fullmatch(token.text):
        return token.text.replace("-", "").lower()
    example = _example_word(tokens, index)
    if example is not None:
        return tokens[example].text[0].lower()
    nxt = tokens[index + 1].fold if index + 1 < len(tokens) else ""
    if _LETTER_RE.fullmatch(token.text) and (token.text.isupper() or in_run or nxt in ("wie", "for", "as")):
        return token.text.lower()
    if in_run and token.fold in _LETTER_NAMES:
        return _LETTER_NAMES[token.fold]
    return None


def _example_word(tokens: list[Token], index: int) -> int | None:
    """Where the example word of a spelled letter is when Whisper glued "K wie" into "KW" ("KW Konrad", "We We Willem"), else None."""
    token = tokens[index]
    if not (1 <= len(token.text) <= 2 and token.text[0].isupper() and token.text.isalpha()):
        return None
    for ahead in (1, 2):
        k = index + ahead
        if k < len(tokens) and len(tokens[k].text) >= 3 and tokens[k].is_capitalised and tokens[k].text[0] == token.text[0]:
            if all(len(t.text) <= 2 and t.text[0] == token.text[0] for t in tokens[index + 1 : k]):
                return k
    return None


def _spelling_width(tokens: list[Token], index: int) -> int:
    # "K wie Konrad", "K for Kilo", "K as in Kilo": the example word is part of the letter.
    example = _example_word(tokens, index)
    if example is not None and not _GLUED_LETTERS_RE.fullmatch(tokens[index].text):
        return example - index + 1
    nxt = tokens[index + 1].fold if index + 1 < len(tokens) else ""
    if nxt in ("wie", "for") and index + 2 < len(tokens):
        return 3
    if nxt == "as" and index + 3 < len(tokens) and tokens[index + 2].fold == "in":
        return 4
    return 1

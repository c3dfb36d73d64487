"""Addresses in an utterance: German streets ("Hauptstraße 12", "Am Markt 3"), English ones ("221B Baker Street"), PLZ and city.

Also the postcode candidates that other parsers must not read as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from voicebridge.dialogue.parsers.number_words import CARDINALS, DIGIT_WORDS
from voicebridge.dialogue.parsers.text import NAME_WORD_RE, Token, find_phrase, fold_text, lang_code, phrase_table, spans_overlap, tokenize

_STREET_SUFFIXES = tuple(
    fold_text(suffix) for suffix in ("straße", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer", "chaussee", "steig", "stieg", "pfad", "promenade")
)
_ABBREVIATED_STREET = "str"  # "Bahnhofstr." – only with its dot, "str" alone ends too many words
_STREET_PREFIXES = (
    ("am",),
    ("im",),
    ("zum",),
    ("zur",),
    ("beim",),
    ("an", "der"),
    ("an", "den"),
    ("an", "dem"),
    ("auf", "der"),
    ("auf", "dem"),
    ("auf", "den"),
    ("in", "der"),
    ("in", "den"),
    ("unter", "den"),
    ("hinter", "der"),
    ("hinter", "dem"),
    ("vor", "dem"),
    ("vor", "der"),
)
_PREFIX_FIRST_WORDS = frozenset(prefix[0] for prefix in _STREET_PREFIXES)
_EN_STREET_TYPES = frozenset(
    ("street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "way", "close", "court", "ct", "place", "pl", "boulevard")
    + ("blvd", "crescent", "terrace", "square", "gardens", "grove", "row", "mews", "walk", "hill", "parade")
)
_HOUSE_NUMBER_RE = re.compile(r"[1-9]\d{0,3}[a-zA-Z]?(?:[-/][1-9]\d{0,3}[a-zA-Z]?)?")
_PLZ_RE = re.compile(r"(?:D-)?(\d{5})")
_UK_POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO".split()
    + "MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
_POSTCODE_CUES = phrase_table("plz", "postleitzahl", "postcode", "post code", "postal code", "zip", "zip code")
_CITY_PREFIXES = frozenset(
    {
        "bad",
        "sankt",
        "st",
        "neu",
        "alt",
        "gross",
        "klein",
        "new",
        "san",
        "los",
        "las",
        "saint",
        "fort",
        "port",
        "north",
        "south",
        "east",
        "west",
    }
)
_CITY_CONNECTORS = (("am",), ("im",), ("an", "der"), ("ob", "der"), ("in", "der"), ("upon",))
WEEKDAY_NAMES: tuple[str, ...] = (
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "monday",
    "tuesday",
)
WEEKDAY_NAMES += ("wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES: tuple[str, ...] = (
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
)
MONTH_NAMES += ("january", "february", "march", "may", "june", "july", "october", "december")
# Capitalised words that follow a number or "Am …" without being a city, a street or a name.
NOT_PLACE = frozenset(
    fold_text(word)
    for word in (
        "und",
        "oder",
        "aber",
        "bitte",
        "danke",
        "ich",
        "wir",
        "sie",
        "er",
        "es",
        "das",
        "die",
        "der",
        "den",
        "dem",
        "mein",
        "meine",
    )
    + (
        "unser",
        "unsere",
        "ja",
        "nein",
        "hallo",
        "tschüss",
        "also",
        "genau",
        "okay",
        "ok",
        "telefon",
        "telefonnummer",
        "nummer",
        "handy",
        "uhr",
    )
    + (
        "euro",
        "erdgeschoss",
        "obergeschoss",
        "dachgeschoss",
        "etage",
        "stock",
        "wohnung",
        "hinterhaus",
        "vorderhaus",
        "keller",
        "bad",
        "küche",
    )
    + ("haus", "garten", "dach", "flur", "moment", "jahr", "jahre", "winter", "sommer", "apparat", "festnetz", "morgen", "heute", "abend")
    + ("ordnung", "ruhe", "eile", "arbeit", "urlaub", "zukunft", "kürze", "zeit", "gefahr", "sorge", "betrieb", "rente", "bearbeitung")
    + ("vormittag", "nachmittag", "mittag", "wochenende", "anfang", "ende", "notfall", "the", "and", "or", "please", "thanks", "thank", "i")
    + ("we", "my", "our", "yes", "no", "flat", "apartment", "floor", "unit", "call", "phone", "number", "morning", "afternoon", "evening")
    # Capitalised at the start of a sentence, these lead into a street ("In der Hauptstraße") rather than name it.
    + ("in", "im", "am", "an", "auf", "zum", "zur", "bei", "beim", "unter", "hinter", "vor")
    + WEEKDAY_NAMES
    + MONTH_NAMES
)


# What else an address answer holds, kept as said: the floor, the part of the building, the flat, who to ask for.
_ORDINAL_WORD = r"(?:erste|zweite|dritte|vierte|fünfte|sechste|siebte|achte|neunte|zehnte)[nmrs]?"
_DETAIL_RES = (
    re.compile(
        rf"\b(?:(?:im|in\s+der)\s+)?(?:\d{{1,2}}\.\s?|{_ORDINAL_WORD}\s+)(?:Stock(?:werk|s)?|Etage|OG|Obergeschoss)\b(?:\s+(?:links|rechts|Mitte))?",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:im\s+)?(?:Erdgeschoss|Dachgeschoss|Souterrain|Hochparterre|EG)\b(?:\s+(?:links|rechts))?"),
    re.compile(r"\b(?:im\s+)?(?:Hinterhaus|Vorderhaus|Seitenflügel|Hinterhof|Gartenhaus)\b"),
    re.compile(r"\b(?:Wohnung|Whg\.?)\s+(?:Nr\.?\s+)?\w+\b"),
    re.compile(r"(?:\bc/o|\bc\.\s?o\.|\b[Cc]are of)\s+(?:(?:Familie|Fam\.|Frau|Herrn?|Mr|Mrs|Ms)\.?\s+)?[A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+)?"),
    re.compile(r"\bbei\s+(?:(?:Familie|Fam\.|Frau|Herrn?)\s+)?(?!Ihnen\b|Uns\b)[A-ZÄÖÜ][\w'-]+\b(?=\s*(?:[,.]|$|klingeln|in\b))"),
    re.compile(r"\b(?:[Ff]lat|[Aa]partment|[Aa]pt\.?|[Uu]nit|[Ss]uite)\s+\d+[A-Za-z]?\b"),
    re.compile(r"\b(?:first|second|third|fourth|fifth|ground|top|basement|\d+(?:st|nd|rd|th))\s+floor\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Address:
    """The parts of an address the caller said; missing parts are None."""

    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    detail: str | None = None  # floor, flat, building part, c/o: "3. Stock", "Hinterhaus", "c/o Schneider", "Flat 2"

    def one_line(self, language: str) -> str:
        """German order ("Hauptstraße 12, 3. Stock, 10115 Berlin") or English ("Flat 2, 221B Baker Street, London SW1A 1AA")."""
        if lang_code(language) == "de":
            street = " ".join(p for p in (self.street, self.house_number) if p)
            parts = [street, self.detail or "", " ".join(p for p in (self.postcode, self.city) if p)]
        else:
            street = " ".join(p for p in (self.house_number, self.street) if p)
            parts = [self.detail or "", street, " ".join(p for p in (self.city, self.postcode) if p)]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class _AddressMatch:
    address: Address
    start: int
    end: int
    number_spans: tuple[tuple[int, int], ...]


def _is_place_word(token: Token) -> bool:
    return token.is_capitalised and bool(NAME_WORD_RE.fullmatch(token.text)) and token.fold not in NOT_PLACE


def _is_street_word(token: Token, tokens: Sequence[Token], index: int) -> int | None:
    """End index when the token is a one-word street ("Hauptstraße", "Bahnhofstr."), else None."""
    if not token.is_capitalised and not token.fold.endswith("strasse"):
        return None
    if token.fold.endswith(_ABBREVIATED_STREET) and index + 1 < len(tokens) and tokens[index + 1].text == ".":
        return index + 2
    for suffix in _STREET_SUFFIXES:
        if token.fold.endswith(suffix) and len(token.fold) > len(suffix) + 1:
            return index + 1
    return None


def _is_bare_street_type(token: Token, tokens: Sequence[Token], index: int) -> int | None:
    """End index when the token is "Straße", "Allee", "Str." … on its own, as in "Berliner Allee"."""
    if token.fold == _ABBREVIATED_STREET and index + 1 < len(tokens) and tokens[index + 1].text == ".":
        return index + 2
    return index + 1 if token.fold in _STREET_SUFFIXES else None


def _german_street_at(tokens: Sequence[Token], i: int) -> int | None:
    end = _is_street_word(tokens[i], tokens, i)
    if end is not None:
        return end
    for words in (1, 2):  # "Berliner Allee", "Alte Kölner Straße"
        last = i + words
        if last < len(tokens) and all(_is_place_word(t) for t in tokens[i:last]) and tokens[last].is_capitalised:
            end = _is_bare_street_type(tokens[last], tokens, last)
            if end is not None:
                return end
    return None


def _prefixed_street_at(tokens: Sequence[Token], i: int) -> int | None:
    """End index of "Am Markt", "An der Alster", "Im Winkel"; these need a house number to be told from "am Montag"."""
    if tokens[i].fold not in _PREFIX_FIRST_WORDS:  # the common case, checked at every token of every utterance
        return None
    for prefix in _STREET_PREFIXES:
        names = i + len(prefix)
        if tuple(t.fold for t in tokens[i:names]) != prefix:
            continue
        for words in (2, 1):
            end = names + words
            if end <= len(tokens) and all(_is_place_word(t) and _german_street_at(tokens, k) is None for k, t in enumerate(tokens[names:end], names)):
                number = _house_number_at(tokens, end)
                if number is not None and (number[2] == len(tokens) or not tokens[number[2]].is_word or tokens[number[2]].fold == "in"):
                    return end
    return None


def _house_number_at(tokens: Sequence[Token], j: int) -> tuple[str, int, int] | None:
    """(house number, first token, index after it) for "12", "3a", "3 a", "12-14", "Nr. 5", "zwölf"."""
    while j < len(tokens) and tokens[j].fold in ("nr", "nummer", "hausnummer", "."):
        j += 1
    if j >= len(tokens):
        return None
    token = tokens[j]
    if j + 1 < len(tokens) and tokens[j + 1].fold in ("uhr", "minuten", "stunden", "tage", "euro"):
        return None
    if _HOUSE_NUMBER_RE.fullmatch(token.text):
        after = j + 1
        letter = tokens[after] if after < len(tokens) else None
        # "Am Markt 3 a": Whisper sometimes splits the letter off.
        if letter and re.fullmatch("[a-hA-H]", letter.text) and (after + 1 == len(tokens) or not tokens[after + 1].is_word or tokens[after + 1].fold == "in"):
            return token.text + letter.text.lower(), j, after + 1
        return token.text, j, after
    value = CARDINALS["de"].get(token.fold, CARDINALS["en"].get(token.fold))
    if value:
        return str(value), j, j + 1
    return None


def _city_end(tokens: Sequence[Token], k: int) -> int | None:
    if k >= len(tokens) or not _is_place_word(tokens[k]):
        return None
    end = k + 1
    if tokens[k].fold in _CITY_PREFIXES:  # "Bad Homburg", "St. Ingbert", "New York"
        nxt = end + 1 if end < len(tokens) and tokens[end].text == "." else end
        if nxt < len(tokens) and _is_place_word(tokens[nxt]):
            end = nxt + 1
    for connector in _CITY_CONNECTORS:  # "Frankfurt am Main", "Halle an der Saale"
        after = end + len(connector)
        if tuple(t.fold for t in tokens[end:after]) == connector and after < len(tokens) and _is_place_word(tokens[after]):
            return after + 1
    return end


def _plz_at(tokens: Sequence[Token], k: int) -> tuple[str, int] | None:
    """(postcode, index after it): "80331", "D-80331", or as Whisper splits it before a town, "80 3 3 1 München"."""
    if k >= len(tokens):
        return None
    m = _PLZ_RE.fullmatch(tokens[k].text)
    if m:
        return (m.group(1), k + 1) if not m.group(1).startswith("00") else None
    end, digits = k, ""
    while end < len(tokens) and tokens[end].is_digits and len(tokens[end].text) <= 4 and len(digits) < 5:
        digits, end = digits + tokens[end].text, end + 1
    if len(digits) == 5 and end - k >= 2 and not digits.startswith("00") and _city_end(tokens, end) is not None:
        if end == len(tokens) or not tokens[end].is_digits:
            return digits, end
    return None


def _uk_postcode_at(text: str, tokens: Sequence[Token], k: int) -> tuple[str, int] | None:
    for width in (2, 1):
        if k + width <= len(tokens):
            m = _UK_POSTCODE_RE.fullmatch(text[tokens[k].start : tokens[k + width - 1].end])
            if m:
                return f"{m.group(1)} {m.group(2)}".upper(), k + width
    return None


def _address_tail(text: str, tokens: Sequence[Token], j: int) -> tuple[str | None, str | None, int, list[tuple[int, int]]]:
    """Postcode and city after the street: ", 80331 München", " in 50667 Köln", ", London SW1A 1AA", ", Springfield, IL 62704"."""
    k = j
    if k < len(tokens) and tokens[k].fold == ",":
        k += 1
    if k < len(tokens) and tokens[k].fold == "in":
        k += 1
    postcode = city = None
    spans: list[tuple[int, int]] = []
    plz = _plz_at(tokens, k)
    if plz:
        postcode, spans = plz[0], [(tokens[k].start, tokens[plz[1] - 1].end)]
        k = plz[1]
        city_end = _city_end(tokens, k)
        if city_end is not None:
            city, k = text[tokens[k].start : tokens[city_end - 1].end], city_end
        return postcode, city, k, spans
    if k == j:
        return None, None, j, spans
    city_end = _city_end(tokens, k)
    if city_end is None:
        return None, None, j, spans
    city, k = text[tokens[k].start : tokens[city_end - 1].end], city_end
    after = k + 1 if k < len(tokens) and tokens[k].fold == "," else k
    uk = _uk_postcode_at(text, tokens, after)
    if uk:
        postcode, spans = uk[0], [(tokens[after].start, tokens[uk[1] - 1].end)]
        return postcode, city, uk[1], spans
    if after + 1 < len(tokens) and tokens[after].text in _US_STATES and re.fullmatch(r"\d{5}(?:-\d{4})?", tokens[after + 1].text):
        zip_token = tokens[after + 1]
        return zip_token.text, city, after + 2, [(zip_token.start, zip_token.end)]
    return None, city, k, spans


def _english_street_at(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """(street start, street end) for "12 Baker Street", "221B Baker St."; the house number is tokens[i]."""
    if not _HOUSE_NUMBER_RE.fullmatch(tokens[i].text):
        return None
    for words in (1, 2, 3):
        last = i + 1 + words
        named = all(_is_place_word(t) for t in tokens[i + 1 : last])
        # Whisper lower-cases street names ("42 station road, Oxford"); then the type must end the clause.
        lowered = words <= 2 and all(t.is_word and not t.is_capitalised and t.fold not in NOT_PLACE for t in tokens[i + 1 : last])
        closed = last + 1 >= len(tokens) or not tokens[last + 1].is_word
        if last < len(tokens) and (named or (lowered and closed)) and tokens[last].fold in _EN_STREET_TYPES:
            end = last + 2 if last + 1 < len(tokens) and tokens[last + 1].text == "." and len(tokens[last].fold) <= 4 else last + 1
            return i + 1, end
    return None


def _address_at(text: str, tokens: Sequence[Token], i: int) -> _AddressMatch | None:
    english = _english_street_at(tokens, i)
    number: tuple[str, int, int] | None = (tokens[i].text, i, i + 1)
    if tokens[i].is_digits and i + 1 < len(tokens) and re.fullmatch("[A-H]", tokens[i + 1].text):
        # "221 B Baker Street": Whisper splits the letter off the house number.
        house = tokens[i].text + tokens[i + 1].text
        glued = [*tokens[:i], Token(house, fold_text(house), tokens[i].start, tokens[i + 1].end), *tokens[i + 2 :]]
        found = _english_street_at(glued, i)
        if found is not None:
            english, number = (found[0] + 1, found[1] + 1), (house, i, i + 2)
    if english is not None:
        street_start, street_end = english
        after_street = street_end
    else:
        street_start = i
        german_end = _german_street_at(tokens, i) or _prefixed_street_at(tokens, i)
        if german_end is None:
            return None
        street_end = german_end
        number = _house_number_at(tokens, street_end)
        after_street = number[2] if number else street_end
    street = text[tokens[street_start].start : tokens[street_end - 1].end]
    if english is not None and street.islower():
        street = street.title()  # "station road" → "Station Road"
    elif street[:1].islower():
        street = street[0].upper() + street[1:]  # "am Markt 3" → "Am Markt"
    postcode, city, end, spans = _address_tail(text, tokens, after_street)
    is_strasse = fold_text(street).rstrip(".").endswith(("strasse", _ABBREVIATED_STREET))
    if english is None and number is None and postcode is None and city is None and not is_strasse:
        return None  # "Parkplatz", "auf dem Weg": without a number it is not an address
    if number:
        spans = [(tokens[number[1]].start, tokens[number[2] - 1].end), *spans]
    house_number = number[0] if number else None
    return _AddressMatch(Address(street, house_number, postcode, city), tokens[min(i, street_start)].start, tokens[end - 1].end, tuple(spans))


def find_addresses(text: str) -> list[_AddressMatch]:
    tokens = tokenize(text)
    found = []
    i = 0
    while i < len(tokens):
        match = _address_at(text, tokens, i)
        if match is None:
            i += 1
            continue
        found.append(match)
        i = next((k for k, t in enumerate(tokens) if t.start >= match.end), len(tokens))
    for k in range(len(tokens)):
        # A bare "10115 Berlin" is an address too; the digit check keeps "030 12345 Berlin" a phone number.
        plz = _plz_at(tokens, k)
        previous = tokens[k - 1] if k else None
        if plz and (previous is None or not (previous.is_digits or previous.fold in DIGIT_WORDS["de"] or previous.fold in DIGIT_WORDS["en"])):
            city_end = _city_end(tokens, plz[1])
            span = (tokens[k].start, tokens[plz[1] - 1].end)
            if city_end is not None and not any(spans_overlap(span, m.number_spans) for m in found):
                city = text[tokens[plz[1]].start : tokens[city_end - 1].end]
                found.append(_AddressMatch(Address(None, None, plz[0], city), span[0], tokens[city_end - 1].end, (span,)))
    return sorted(found, key=lambda m: m.start)


def parse_address(text: str, language: str) -> Address | None:
    """Street, house number, postcode and city as far as the caller said them; None when no street or postcode was heard.

    Postcode first or last ("80331 München, Sonnenstraße 5"), with a floor, flat or c/o in between or around it ("Hauptstraße 12,
    2. OG links, 10115 Berlin") in `detail`.
    """
    found = find_addresses(text)
    if not found:
        return None
    address = found[0].address
    for other in found[1:]:
        # One answer holds one address: a street said apart from its postcode and town belongs with them.
        if address.street is None and other.address.street is not None and other.address.postcode is None:
            address = replace(other.address, postcode=address.postcode, city=other.address.city or address.city)
        elif address.street is not None and address.postcode is None and address.city is None and other.address.street is None:
            address = replace(address, postcode=other.address.postcode, city=other.address.city)
    if address.street is not None and address.city is None:
        address = replace(address, city=_town_after(text, found[0].end))  # "Gartenweg 3, c/o Schneider, in Garching"
    details = sorted((m.start(), m.group().strip(" ,.")) for regex in _DETAIL_RES for m in regex.finditer(text))
    return replace(address, detail=", ".join(dict.fromkeys(detail for _, detail in details))) if details else address


def _town_after(text: str, start: int) -> str | None:
    """A town named later in the answer with "in" and ending its clause ("…, in Garching."), or None."""
    tokens = tokenize(text)
    for k, token in enumerate(tokens):
        if token.start < start or token.fold != "in":
            continue
        end = _city_end(tokens, k + 1)
        if end is not None and (end == len(tokens) or not tokens[end].is_word):
            return text[tokens[k + 1].start : tokens[end - 1].end]
    return None


def postcode_candidates(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Postcodes given with a cue ("PLZ 10115", "zip code 90210", "NY 10001") or in UK shape; bare German ones come via addresses."""
    tokens = tokenize(text)
    found = [(m.start(), m.end(), f"{m.group(1)} {m.group(2)}".upper()) for m in _UK_POSTCODE_RE.finditer(text)]
    for k, token in enumerate(tokens):
        after_cue = find_phrase(tokens[max(0, k - 3) : k], _POSTCODE_CUES, negatable=False) is not None
        after_state = k > 0 and tokens[k - 1].text in _US_STATES
        if re.fullmatch(r"(?:D-)?\d{5}(?:-\d{4})?", token.text) and (after_cue or (after_state and lang == "en")):
            found.append((token.start, token.end, token.text.removeprefix("D-")))
    return sorted(found)

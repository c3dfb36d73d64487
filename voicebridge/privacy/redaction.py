"""Redaction: consistent pseudonyms for names, phone numbers, addresses, e-mail addresses and IBANs in free text, and a
log filter that keeps phone numbers out of log lines unless [privacy] log_content is on."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from voicebridge.privacy.phone import digits_of

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# Six or more digits with the separators people and PBXs use; not part of a longer word or id (a UUID's last group), not a date.
PHONE = re.compile(r"(?<![\w-])(?!\d{4}-\d\d-\d\d)(?:\+|00)?\d(?:[ \-/()]?\d){5,}(?![\w-])")
_CAP = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
STREET = re.compile(
    rf"\b(?:{_CAP} )?[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee)(?: \d+(?: ?[a-zA-Z]\b)?)?"
    rf"|\b\d+[a-zA-Z]? (?:{_CAP} )+(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Way|Close|Court|Crescent)\b"
    rf"|\b(?:Am|An der|Im|In der|Auf dem|Zum|Zur) {_CAP} \d+(?: ?[a-zA-Z]\b)?"
)
POSTCODE_TOWN = re.compile(rf"\b\d{{5}} {_CAP}\b|\b[A-Z]{{1,2}}\d[A-Z\d]? ?\d[A-Z]{{2}}\b")
# "mein Name ist Peter Müller", "hier spricht Frau Schmidt", "my name is Jane Doe": the capitalised words that follow.
NAME_INTRO = re.compile(
    rf"(?:(?i:mein name ist|ich heiße|ich heisse|hier spricht|hier ist|my name is|this is|name is)|Herr|Frau|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)"
    rf" ((?:{_CAP})(?: {_CAP})?)"
)

TITLE = re.compile(r"^(?:(?:Herr|Frau|Mr\.?|Mrs\.?|Ms\.?|Dr\.?) )+")


def iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return len(compact) >= 15 and int(digits) % 97 == 1


class Pseudonymiser:
    """Same value, same pseudonym, across one whole export: "Peter Müller" is PERSON_1 in every call that mentions him."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._names: dict[str, str] = {}  # a known name (and each part of it) -> its token

    def token(self, kind: str, value: str) -> str:
        # A number keyed by its last nine digits: "+49 171 2345678" and "0171 2345678" are one caller.
        key = (kind, digits_of(value)[-9:] if kind == "PHONE" else value.strip().lower())
        if key not in self._tokens:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._tokens[key] = f"{kind}_{self._counts[kind]}"
        return self._tokens[key]

    def learn_names(self, names: Iterable[str]) -> None:
        """Names known from call notes are replaced wherever they occur, also alone ("Müller" after "Peter Müller")."""
        for name in names:
            name = TITLE.sub("", name.strip())
            if len(name) < 2 or name in self._names:
                continue
            parts = [p for p in name.split() if len(p) >= 3 and p[0].isupper()]
            # "Herr Müller" after "Peter Müller" is the same person: a known part brings its pseudonym along.
            known = [self._names[p] for p in parts if p in self._names]
            token = known[0] if known else self.token("PERSON", name)
            self._names[name] = token
            for part in parts:
                self._names.setdefault(part, token)

    def phone(self, number: str | None) -> str | None:
        return self.token("PHONE", number) if number else None

    def text(self, text: str | None) -> str | None:
        if not text:
            return text
        text = EMAIL.sub(lambda m: self.token("EMAIL", m.group()), text)
        text = IBAN.sub(lambda m: self.token("IBAN", m.group()) if iban_valid(m.group()) else m.group(), text)
        text = PHONE.sub(lambda m: self.token("PHONE", m.group()), text)
        text = STREET.sub(lambda m: self.token("ADDRESS", m.group()), text)
        text = POSTCODE_TOWN.sub(lambda m: self.token("ADDRESS", m.group()), text)
        for match in list(NAME_INTRO.finditer(text)):
            self.learn_names([match.group(1)])
        for name in sorted(self._names, key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", self._names[name], text)
        return text


# An Asterisk channel name: technology/resource, then '-' and the 8-hex-digit sequence Asterisk appends (';1'/';2' on
# Local channels): PJSIP/4930555000-0000001a, Local/0301234567@from-trunk-00000004;2, AudioSocket/127.0.0.1:9092-00000003.
CHANNEL_NAME = re.compile(r"(?<![\w/])[A-Za-z][A-Za-z0-9]*/[^\s,]+?-[0-9a-f]{8}(?:;[12])?(?![\w-])")


def mask_numbers(text: str) -> str:
    """Phone numbers masked, Asterisk channel names kept whole: an admin matches them against the Asterisk CLI."""
    parts: list[str] = []
    last = 0
    for match in CHANNEL_NAME.finditer(text):
        parts += [PHONE.sub("[number]", text[last:match.start()]), match.group()]
        last = match.end()
    parts.append(PHONE.sub("[number]", text[last:]))
    return "".join(parts)


class PhoneNumberFilter(logging.Filter):
    """Installed on the log handlers while log_content is off: a phone number that reaches a log line anyway (a library's
    debug output, an exception text) is masked. Transcript text is never passed to the logger in the first place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = mask_numbers(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

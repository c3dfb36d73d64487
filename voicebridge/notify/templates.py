"""Rendering a call note into a subject and a body with `string.Template`: German and English defaults, per-tenant overrides.

Also the start-up check of the [notify] settings, so a bad template or a webhook without a secret stops the daemon with one line.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voicebridge.dialogue.call_note import CallNote
from voicebridge.errors import ConfigError
from voicebridge.privacy.phone import digits_of, is_international

if TYPE_CHECKING:
    from voicebridge.config import Config

FINAL = "final"  # the note at the end of the call
EMERGENCY = "emergency"  # sent at once while the call is still going on
KINDS = (EMERGENCY, FINAL)

PLACEHOLDERS = (
    "business", "call_id", "kind", "started_at", "who", "name", "company", "callback", "callback_raw", "callback_confirmed",
    "caller_number", "address", "concern", "concern_short", "intent", "urgency", "urgency_reason", "emergency_banner",
    "emergency_prefix", "window", "summary", "missing", "transferred_to", "transcript_ref", "order_number", "sources",
    "note_source",
)

EMPTY = "–"
_TWO_DIGIT_COUNTRIES = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49", "90"}

_LABELS: dict[str, dict[str, Any]] = {
    "de": {
        "urgency": {"emergency": "NOTFALL", "soon": "bald", "no_rush": "nicht eilig", "unknown": "unbekannt"},
        "intent": {"appointment": "Termin", "question": "Frage", "message": "Nachricht", "emergency": "Notfall",
                   "complaint": "Reklamation", "quote": "Angebotsanfrage", "follow_up": "Nachfrage zu einem Auftrag",
                   "other": "Sonstiges"},
        "fields": {"name": "Name", "company": "Firma", "callback_number": "Rückrufnummer", "address": "Adresse",
                   "concern": "Anliegen", "urgency": "Dringlichkeit", "preferred_window": "Wunschtermin",
                   "intent": "Art", "order_number": "Auftragsnummer", "summary": "Zusammenfassung"},
        "sources": {"confirmed": "bestätigt (vorgelesen)", "heard": "gehört", "inferred": "vom Sprachmodell ergänzt"},
        "unknown_caller": "unbekannter Anrufer",
        "yes": "bestätigt", "no": "nicht bestätigt",
        "banner": "!!! NOTFALL – BITTE SOFORT ZURÜCKRUFEN !!!",
        "reason": "Grund",
        "prefix": "!!! NOTFALL: ",
        "asap": "so bald wie möglich",
        "none_missing": "keine",
    },
    "en": {
        "urgency": {"emergency": "EMERGENCY", "soon": "soon", "no_rush": "no rush", "unknown": "unknown"},
        "intent": {"appointment": "appointment", "question": "question", "message": "message", "emergency": "emergency",
                   "complaint": "complaint", "quote": "quote request", "follow_up": "follow-up on a job", "other": "other"},
        "fields": {"name": "name", "company": "company", "callback_number": "call-back number", "address": "address",
                   "concern": "concern", "urgency": "urgency", "preferred_window": "preferred time",
                   "intent": "kind", "order_number": "order number", "summary": "summary"},
        "sources": {"confirmed": "confirmed (read back)", "heard": "heard", "inferred": "inferred by the language model"},
        "unknown_caller": "unknown caller",
        "yes": "confirmed", "no": "not confirmed",
        "banner": "!!! EMERGENCY – PLEASE CALL BACK NOW !!!",
        "reason": "Reason",
        "prefix": "!!! EMERGENCY: ",
        "asap": "as soon as possible",
        "none_missing": "none",
    },
}

DEFAULT_SUBJECT = {
    "de": "${emergency_prefix}Anruf von ${who}: ${concern_short}",
    "en": "${emergency_prefix}Call from ${who}: ${concern_short}",
}

DEFAULT_BODY = {
    "de": """${emergency_banner}Anrufnotiz für ${business}

Wer:            ${who}
Firma:          ${company}
Rückruf:        ${callback} (${callback_confirmed})
Adresse:        ${address}
Anliegen:       ${concern}
Dringlichkeit:  ${urgency}
Wunschtermin:   ${window}
Art:            ${intent}
Auftragsnummer: ${order_number}

Zusammenfassung:
${summary}

Fehlende Angaben: ${missing}
Herkunft:         ${sources}
Notiz von:        ${note_source}

Ganzes Gespräch: ${transcript_ref}
Anruf ${call_id}, ${started_at}
""",
    "en": """${emergency_banner}Call note for ${business}

Who:            ${who}
Company:        ${company}
Call back:      ${callback} (${callback_confirmed})
Address:        ${address}
Concern:        ${concern}
Urgency:        ${urgency}
Preferred time: ${window}
Kind:           ${intent}
Order number:   ${order_number}

Summary:
${summary}

Missing: ${missing}
Sources: ${sources}
Note by: ${note_source}

Whole call: ${transcript_ref}
Call ${call_id}, ${started_at}
""",
}


@dataclass(frozen=True)
class RenderedNote:
    subject: str
    body: str


@dataclass(frozen=True)
class NoteTemplates:
    """The templates one tenant's notes are rendered with; empty means the default for the language."""

    business: str
    language: str
    subject: str = ""
    body: str = ""

    @classmethod
    def for_tenant(cls, config: Config, tenant_id: str) -> NoteTemplates:
        tenant = next((t for t in config.all_tenants if t.id == tenant_id), config.all_tenants[0])
        notify = config.notify
        return cls(tenant.name, tenant.language, tenant.subject_template or notify.subject_template,
                   tenant.summary_template or notify.summary_template)

    def render(self, note: CallNote, kind: str = FINAL) -> RenderedNote:
        language = self.language if self.language in _LABELS else "de"
        values = note_values(note, self.business, language, kind)
        subject = string.Template(self.subject or DEFAULT_SUBJECT[language]).substitute(values)
        body = string.Template(self.body or DEFAULT_BODY[language]).substitute(values)
        return RenderedNote(" ".join(subject.split()), body)


def readable_number(number: str) -> str:
    """A number as it is read out and dialled by hand: "+49 171 23 45 67 89" rather than "+4917123456789"."""
    digits = digits_of(number)
    if len(digits) < 6:
        return number.strip()
    if is_international(number):
        country = 2 if digits[:2] in _TWO_DIGIT_COUNTRIES else (1 if digits[0] in "17" else 3)
        head, national = f"+{digits[:country]} ", digits[country:]
    else:
        head, national = "", digits
    # Area or mobile prefix in one block (030, 069, 0171), the rest in pairs, as numbers are read out in German offices.
    plain = national.lstrip("0")
    size = len(national) - len(plain) + (2 if plain[:1] in "2345678" and plain[1:2] in "09" else 3)
    rest = national[size:]
    return head + " ".join([national[:size], *(rest[i:i + 2] for i in range(0, len(rest), 2))])


def note_values(note: CallNote, business: str, language: str, kind: str) -> dict[str, str]:
    labels = _LABELS[language]
    emergency = note.is_emergency or kind == EMERGENCY
    window = ""
    if note.preferred_window is not None:
        window = note.preferred_window.label or f"{note.preferred_window.start} – {note.preferred_window.end}"
        if note.preferred_window.asap:
            window = f"{window} ({labels['asap']})" if window else labels["asap"]
    callback = readable_number(note.callback_number) if note.callback_number else ""
    who = note.name or note.company or callback or labels["unknown_caller"]
    concern = " ".join(note.concern.split())
    banner = ""
    if emergency:
        banner = labels["banner"] + "\n"
        if note.urgency_reason:
            banner += f"{labels['reason']}: {note.urgency_reason}\n"
        banner += "\n"
    missing = ", ".join(labels["fields"].get(f, f) for f in note.missing) or labels["none_missing"]
    provenance = note.extra.get("provenance", {})
    by_source: dict[str, list[str]] = {}
    for key, source in (provenance.items() if isinstance(provenance, dict) else ()):
        by_source.setdefault(str(source), []).append(labels["fields"].get(key, key))
    # "gehört: Name, Adresse; bestätigt (vorgelesen): Rückrufnummer; vom Sprachmodell ergänzt: Firma"
    sources = "; ".join(f"{labels['sources'].get(src, src)}: {', '.join(keys)}" for src, keys in by_source.items())
    values = {
        "business": business,
        "call_id": note.call_id,
        "kind": kind,
        "started_at": note.started_at,
        "who": who,
        "name": note.name,
        "company": note.company,
        "callback": callback,
        "callback_raw": note.callback_number,
        "callback_confirmed": labels["yes"] if note.callback_confirmed else labels["no"],
        "caller_number": note.caller_number or "",
        "address": note.address,
        "concern": concern,
        "concern_short": concern if len(concern) <= 60 else concern[:59].rstrip() + "…",
        "intent": labels["intent"].get(note.intent, note.intent),
        "urgency": labels["urgency"].get("emergency" if emergency else note.urgency, note.urgency),
        "urgency_reason": note.urgency_reason,
        "emergency_banner": banner,
        "emergency_prefix": labels["prefix"] if emergency else "",
        "window": window,
        "summary": note.summary,
        "missing": missing,
        "transferred_to": note.transferred_to,
        "transcript_ref": note.transcript_ref or f"voicebridge calls show {note.call_id}",
        "order_number": note.order_number,
        "sources": sources,
        "note_source": str(note.extra.get("note_source", "")),
    }
    # An empty field shows as a dash, so the reader sees it was asked for and not given; the flags stay empty when off.
    keep_empty = ("emergency_banner", "emergency_prefix")
    return {k: (v if v or k in keep_empty else EMPTY) for k, v in values.items()}


def check_template(text: str, key: str, source: str) -> None:
    if not text:
        return
    template = string.Template(text)
    if not template.is_valid():
        raise ConfigError(f"{source}: '{key}' is not a valid template (a '$' must start a placeholder such as $name; write '$$' for a dollar sign)")
    unknown = [name for name in template.get_identifiers() if name not in PLACEHOLDERS]
    if unknown:
        raise ConfigError(f"{source}: '{key}' has the unknown placeholder ${unknown[0]}; known: {', '.join(PLACEHOLDERS)}")


def _check_recipients(recipients: tuple[str, ...], key: str, source: str, smtp_host: str) -> None:
    for address in recipients:
        if "@" not in address or any(ch.isspace() for ch in address.strip()):
            raise ConfigError(f"{source}: '{key}' has {address!r}, which is not an e-mail address")
    if recipients and not smtp_host:
        raise ConfigError(f"{source}: '{key}' lists e-mail recipients but 'notify.smtp_host' is empty; fix: set the SMTP server")


def check_settings(config: Config, source: str) -> None:
    """Called while the config is parsed: every mistake here would otherwise only show when the first note fails."""
    notify = config.notify
    check_template(notify.subject_template, "notify.subject_template", source)
    check_template(notify.summary_template, "notify.summary_template", source)
    _check_recipients(notify.recipients, "notify.recipients", source, notify.smtp_host)
    if notify.smtp_ssl and notify.smtp_starttls:
        raise ConfigError(f"{source}: 'notify.smtp_ssl' and 'notify.smtp_starttls' are both true; pick one (ssl for port 465, starttls for 587)")
    if notify.webhook_url:
        if not notify.webhook_url.startswith(("http://", "https://")):
            raise ConfigError(f"{source}: 'notify.webhook_url' must start with http:// or https://")
        if not notify.webhook_secret:
            raise ConfigError(f"{source}: 'notify.webhook_url' is set but 'notify.webhook_secret' is empty; fix: set a long random secret")
    for i, tenant in enumerate(config.tenants):
        check_template(tenant.subject_template, f"tenants[{i}].subject_template", source)
        check_template(tenant.summary_template, f"tenants[{i}].summary_template", source)
        _check_recipients(tenant.notify_recipients, f"tenants[{i}].notify_recipients", source, notify.smtp_host)

"""E-mail delivery: one message per recipient over SMTP (STARTTLS or implicit TLS, optional login), blocking; run it in a thread.

The password is only handed to smtplib's login; smtplib's debug output stays off, so it never reaches a log.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from voicebridge.config import NotifyConfig
from voicebridge.notify.delivery_error import DeliveryError
from voicebridge.notify.note_store import StoredNote


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    use_ssl: bool
    username: str
    password: str = field(repr=False)
    sender: str
    timeout_s: float

    @classmethod
    def from_config(cls, notify: NotifyConfig) -> SmtpSettings:
        return cls(notify.smtp_host, notify.smtp_port, notify.smtp_starttls, notify.smtp_ssl, notify.smtp_username,
                   notify.smtp_password, notify.smtp_from, notify.timeout_s)


def build_message(stored: StoredNote, sender: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = stored.subject
    message["Date"] = formatdate(localtime=True)
    # The same note to the same recipient keeps its Message-ID across retries, so a mail client can drop a duplicate.
    tag = hashlib.sha256(f"{stored.id}:{recipient}".encode()).hexdigest()[:16]
    domain = sender.rpartition("@")[2] or "voicebridge.local"
    message["Message-ID"] = f"<voicebridge-note-{stored.id}-{tag}@{domain}>"
    message["X-Voicebridge-Call"] = stored.call_id
    message["X-Voicebridge-Note-Kind"] = stored.kind
    if stored.emergency:
        message["X-Priority"] = "1 (Highest)"
        message["Importance"] = "high"
    message.set_content(stored.body, charset="utf-8")
    return message


def send_mail(settings: SmtpSettings, message: EmailMessage) -> None:
    try:
        if settings.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with client:
            if settings.starttls and not settings.use_ssl:
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise DeliveryError(f"recipient refused (SMTP {codes})", permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise DeliveryError(f"SMTP {exc.smtp_code} {' '.join(text.split())}", permanent=exc.smtp_code >= 500 and exc.smtp_code != 535) from None
    except UnicodeError:  # smtplib sends user name and password as ASCII
        raise DeliveryError("the SMTP user name or password has non-ASCII characters, which SMTP login cannot send", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timeout, TLS failure, no STARTTLS offered
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None

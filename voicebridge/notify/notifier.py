"""The daemon's notifier: `dispatch(note)` returns at once; in the background the note is stored, then e-mailed and POSTed,
with retries and exponential back-off, every attempt logged. Pending deliveries are resumed when the daemon starts again.

Log lines name calls, notes and channels, never a name, a number, an address or note text.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from voicebridge.config import Config
from voicebridge.dialogue.call_note import CallNote
from voicebridge.notify import note_store
from voicebridge.notify.delivery_error import DeliveryError
from voicebridge.notify.note_store import EMAIL, GAVE_UP, RETRYING, SENT, WEBHOOK, Delivery, StoredNote
from voicebridge.notify.smtp_sender import SmtpSettings, build_message, send_mail
from voicebridge.notify.templates import DEFAULT_BODY, DEFAULT_SUBJECT, FINAL, KINDS, NoteTemplates, RenderedNote
from voicebridge.notify.webhook_sender import post_webhook, public_url
from voicebridge.store.call_store import StoreWriter

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_RETRY_S = 1.0
DB_ATTEMPTS = 30  # a full disk gets half a minute to clear before a log row is given up (the note itself is retried until stop)


def masked_address(address: str) -> str:
    """"o***@example.com": enough for the log to tell recipients apart, not a person's name."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class Notifier:
    def __init__(self, config: Config, writer: StoreWriter, max_parallel: int = 4) -> None:
        self._config = config
        self._notify = config.notify
        self._writer = writer
        self._smtp = SmtpSettings.from_config(config.notify)
        self._pool = ThreadPoolExecutor(max_workers=max_parallel, thread_name_prefix="notify")
        self._dispatched: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self.started = False

    # -- the contract with the dialogue -------------------------------------------------------------------------

    def dispatch(self, note: CallNote, kind: str = FINAL) -> None:
        """Hand over a note and return at once. kind "emergency": sent while the call goes on; "final": at the end.

        Once per (call, kind): a repeated dispatch is ignored, here while the note is on its way to the database, then
        by the notes table (unique on it), also across restarts."""
        if kind not in KINDS:
            raise ValueError(f"note kind must be one of {KINDS}, not {kind!r}")
        key = (note.call_id, kind)
        if key in self._dispatched:
            log.info("call %s: the %s note was already dispatched; this one is ignored", note.call_id, kind)
            return
        self._dispatched.add(key)
        self._spawn(self._store_and_send(note, kind), f"note-{note.call_id}-{kind}")

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Resume what a previous run left queued or retrying."""
        self.started = True
        conn = self._writer.store.db.conn
        resumed = await self._db(note_store.pending, conn)
        for delivery in resumed or []:
            self._spawn(self._resume(delivery), f"resume-{delivery.note_id}")
        if resumed:
            log.info("resuming %d pending note deliver%s", len(resumed), "y" if len(resumed) == 1 else "ies")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Let attempts in flight finish (up to grace_s); waiting retries stay queued in the database for the next start."""
        self._stopping.set()
        if self._tasks:
            _done, late = await asyncio.wait(set(self._tasks), timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def idle(self) -> None:
        """Wait until every dispatched note is delivered or given up (tests and the CLI use it)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)

    # -- the work -------------------------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("notification task %s failed: %s", task.get_name(), type(exc).__name__)

    def _targets(self, tenant_id: str) -> list[tuple[str, str]]:
        targets: list[tuple[str, str]] = []
        if self._notify.smtp_host:
            # Another business's notes never go to the default business's addresses: a tenant without its own gets no mail.
            tenant = next((t for t in self._config.tenants if t.id == tenant_id), None)
            recipients = tenant.notify_recipients if tenant is not None else self._notify.recipients
            targets += [(EMAIL, r) for r in recipients]
        if self._notify.webhook_url:
            targets.append((WEBHOOK, public_url(self._notify.webhook_url)))
        return targets

    def _render(self, note: CallNote, kind: str) -> RenderedNote:
        templates = NoteTemplates.for_tenant(self._config, note.tenant)
        try:
            return templates.render(note, kind)
        except (KeyError, ValueError) as exc:  # checked at start-up, so only a surprise lands here: fall back, never lose the note
            log.error("call %s: the note template failed (%s); the default template is used", note.call_id, type(exc).__name__)
            language = templates.language if templates.language in DEFAULT_BODY else "de"
            return NoteTemplates(templates.business, language, DEFAULT_SUBJECT[language], DEFAULT_BODY[language]).render(note, kind)

    async def _store_and_send(self, note: CallNote, kind: str) -> None:
        rendered = self._render(note, kind)
        targets = self._targets(note.tenant)
        conn = self._writer.store.db.conn
        while True:  # the note is written before anything is sent; a failing disk is retried until the daemon stops
            try:
                stored = await self._writer.query(note_store.save_note, conn, note, kind, rendered, targets)
                break
            except sqlite3.Error as exc:
                log.error("call %s: the %s note cannot be stored yet (%s); retrying", note.call_id, kind, exc)
                await asyncio.sleep(DB_RETRY_S)
        # From here the notes table (unique per call and kind) refuses a repeat, so the key leaves memory: a daemon
        # that runs for weeks does not keep one for every call it ever had.
        self._dispatched.discard((note.call_id, kind))
        if stored is None:
            log.info("call %s: a %s note is already stored; not sent again", note.call_id, kind)
            return
        log.info("call %s: %s note %d stored%s; %d deliver%s", note.call_id, kind, stored.id, " (EMERGENCY)" if stored.emergency else "",
                 len(targets), "y" if len(targets) == 1 else "ies")
        sends = [self._deliver(stored, Delivery(stored.id, stored.call_id, channel, recipient)) for channel, recipient in targets]
        await asyncio.gather(*sends)

    async def _resume(self, delivery: Delivery) -> None:
        conn = self._writer.store.db.conn
        stored = await self._db(note_store.load_note, conn, delivery.note_id)
        if stored is not None:  # a repeat dispatch of it finds it in the notes table
            await self._deliver(stored, delivery)

    async def _deliver(self, stored: StoredNote, delivery: Delivery) -> None:
        conn = self._writer.store.db.conn
        last = 1 + self._notify.retries
        attempt = delivery.attempts
        what = f"note {stored.id} {delivery.channel} to {self._shown(delivery)}"
        while not self._stopping.is_set():
            attempt += 1
            try:
                await self._attempt(stored, delivery)
            except DeliveryError as exc:
                final = exc.permanent or attempt >= last
                await self._db(note_store.log_attempt, conn, delivery, attempt, GAVE_UP if final else RETRYING, exc.reason)
                if final:
                    log.error("call %s: %s failed for good at attempt %d (%s); the note stays stored, see `voicebridge notes show`",
                              stored.call_id, what, attempt, "refused" if exc.permanent else "no retries left")
                    return
                delay = min(self._notify.backoff_s * 2 ** (attempt - 1), self._notify.backoff_max_s)
                log.warning("call %s: %s attempt %d failed; retry in %.1f s", stored.call_id, what, attempt, delay)
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                except TimeoutError:
                    pass
                continue
            await self._db(note_store.log_attempt, conn, delivery, attempt, SENT)
            log.info("call %s: %s sent (attempt %d)", stored.call_id, what, attempt)
            return

    async def _attempt(self, stored: StoredNote, delivery: Delivery) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._pool, self._send_blocking, stored, delivery)
        except DeliveryError:
            raise
        except Exception as exc:  # a surprise in a sender is a failed attempt, logged and retried, never a lost delivery
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None

    def _send_blocking(self, stored: StoredNote, delivery: Delivery) -> None:
        if delivery.channel == EMAIL:
            if not self._smtp.host:
                raise DeliveryError("e-mail is no longer configured (notify.smtp_host is empty)", permanent=True)
            send_mail(self._smtp, build_message(stored, self._smtp.sender, delivery.recipient))
        elif delivery.channel == WEBHOOK:
            url = self._notify.webhook_url
            if not url or public_url(url) != delivery.recipient:
                raise DeliveryError("this webhook is no longer configured (notify.webhook_url changed)", permanent=True)
            post_webhook(url, self._notify.webhook_secret, stored, self._notify.timeout_s)
        else:
            raise DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True)

    @staticmethod
    def _shown(delivery: Delivery) -> str:
        return masked_address(delivery.recipient) if delivery.channel == EMAIL else (public_url(delivery.recipient).split("/")[2] or "?")

    async def _db(self, fn: Callable[..., T], *args: object) -> T | None:
        """A bookkeeping write or read on the store's thread, retried while the disk is full or the database is locked."""
        for _ in range(DB_ATTEMPTS):
            try:
                return await self._writer.query(fn, *args)
            except sqlite3.Error as exc:
                log.error("notification bookkeeping failed (%s); retrying", exc)
                await asyncio.sleep(DB_RETRY_S)
        return None

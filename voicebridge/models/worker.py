"""The models in child processes: the daemon's process then only moves audio, because the Python parts of model work
(Whisper features and tokenizer, Piper phonemes, llama sampling) hold a GIL the 20 ms pacer no longer shares.

Three roles, three processes: "speech" (STT, TTS), "llm" (the hints for live replies) at the lowest nice value, and
"note" (the post-call note model, seconds a note) below everything, SCHED_IDLE, so a long generation never takes the
cores from a caller's transcription and never holds the pipe a hint needs. With models.note_llm.own_process = false
the "llm" process holds the note model too. One request at a time over each pipe:
(method, args) -> ("ok", value) or ("error", exception type name, message).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from voicebridge.config import Config
from voicebridge.dialogue.note_extractor import CallNote, UtteranceHints
from voicebridge.errors import ModelError
from voicebridge.log_settings import LogSettings
from voicebridge.models.instruct import Proposed
from voicebridge.models.malloc_tuning import GlibcMalloc, glibc_malloc
from voicebridge.models.registry import load_hints_model, load_note_model, load_note_writer, load_speech_models
from voicebridge.speech.stt import Transcript
from voicebridge.speech.tts import Speech

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 300.0  # a cold cache first assembles the bundled Whisper and GGUF (hundreds of MB)
LONG_JOB_S = 2.0  # a job this long (a post-call note, seldom anything else) is followed by a trim at once
CALL_TIMEOUT_S = 120.0  # far beyond any real job (a call note takes seconds): a child this late is hung, not busy
STOP_TIMEOUT_S = 5.0
NICE_STEPS = 10
# The LLM process goes below the speech process: nice 19 is the floor (CFS weight 15 against 110 at nice 10, so a
# transcription competing with a generation gets ~88% of a core). Not SCHED_IDLE: a caller's reply can wait on a
# blocking hint, which must still finish while the other calls keep the cores busy.
LLM_NICE = 19
ROLES = ("speech", "llm", "note")


def serve_models(conn: Connection, config: Config, logs: LogSettings, role: str = "speech") -> None:
    """The child process: load its role's models, say "ready", then answer requests until told to stop or the daemon is gone."""
    logs.apply()
    # Ctrl-C in a terminal reaches the whole process group. The daemon handles it: it ends its calls (whose last words
    # still need the models) and then stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Asterisk's RTP and the daemon's own 20 ms audio clock must win the cores over model compute: a late model answer
    # costs a little latency, a late audio frame is a gap the caller hears. Set before the models load, so the thread
    # pools of CTranslate2, onnxruntime and llama.cpp inherit it. SCHED_BATCH: the kernel treats these threads as CPU
    # bound and lets a waking audio thread in at once (benchmark at 4 and 8 calls: with nice 5 alone, 3 gaps of
    # 41-51 ms; with nice 10 and SCHED_BATCH, none).
    # Before any model library starts its threads: each would take (and fragment) a malloc arena of its own.
    allocator = glibc_malloc()
    if allocator is not None:
        allocator.limit_arenas(config.models.malloc_arena_max)
    os.nice(NICE_STEPS if role == "speech" else LLM_NICE)  # the kernel clamps at 19
    _lower_policy(role)
    methods: dict[str, Callable[..., Any]]
    try:
        writer = None
        if role == "speech":
            stt, tts = load_speech_models(config)
            methods = {"stt.transcribe": stt.transcribe, "tts.synthesize": tts.synthesize, "tts.synthesize_rates": tts.synthesize_rates}
        elif role == "note":
            writer = load_note_writer(config)
            if writer is None:
                raise ModelError("the note model process was started with no note model configured; fix: set models.note_llm.model")
            methods = {}
        else:
            if config.models.note_llm.own_process:
                notes = load_hints_model(config)
            else:
                notes, writer = load_note_model(config)
            methods = {"notes.hints": notes.hints, "notes.extract": notes.extract}
        if writer is not None:
            methods["writer.propose"] = writer.propose
            conn.send(("writer", writer.name))  # before "ready": the daemon learns the note model's name
    except Exception as exc:  # a ModelError's message is the operator's one line; anything else is named by its type
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    if allocator is not None:
        methods["malloc.arenas"] = allocator.arena_count  # for the tests and benchmarks/worker_memory.py
    conn.send(("ready",))
    trimmed_at = time.monotonic()
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the daemon died without a word: nobody is left to answer
            return
        if request is None:
            return
        method, args = request
        reply: tuple[Any, ...]
        started = time.monotonic()
        try:
            reply = ("ok", methods[method](*args))
        except Exception as exc:
            reply = ("error", type(exc).__name__, str(exc))
        conn.send(reply)
        if allocator is not None:
            trimmed_at = _trim_when_idle(allocator, conn, config.models.malloc_trim_interval_s, trimmed_at,
                                         time.monotonic() - started)


def _lower_policy(role: str) -> None:
    """SCHED_BATCH for the speech and hints processes; SCHED_IDLE for the note model, which then runs only on a core no
    other task wants (the kernel preempts it for any waking batch or normal thread). Why not nice 19 alone: a niced
    SCHED_BATCH task still gets its CFS share beside Whisper, and one llama.cpp thread beside two CTranslate2 threads
    that wait for each other delays the transcription by what it takes of that share. An unprivileged process can
    always lower its own policy; it could not raise it again, so it is set once, at start."""
    policy = getattr(os, "SCHED_IDLE" if role == "note" else "SCHED_BATCH", None)
    if policy is None:  # not Linux: the nice value has to do
        return
    with contextlib.suppress(OSError):
        os.sched_setscheduler(0, policy, os.sched_param(0))


def _trim_when_idle(allocator: GlibcMalloc, conn: Connection, interval_s: float, trimmed_at: float,
                    job_s: float = 0.0) -> float:
    """Return free heap pages to the kernel if the last trim is `interval_s` ago, or the job just done took over
    LONG_JOB_S, and no request waits (a waiting job is never delayed by it); when the last trim was.

    Why the long job: a post-call note (seconds of llama.cpp) frees 100-180 MB of heap at its end; left until the next
    interval, the process sat on it between notes (benchmarks/worker_memory.py --propose-every: anon 1006-1192 MB in
    a sawtooth, the peak flat). A trim right after a note took 5.7-6.5 ms (measured in-process, 2 arenas), nothing
    beside a job of seconds."""
    now = time.monotonic()
    due = now - trimmed_at >= interval_s or job_s >= LONG_JOB_S
    if interval_s <= 0 or not due or conn.poll(0):
        return trimmed_at
    allocator.trim()
    return now


class ModelWorker:
    """Starts one role's model process and restarts it if it dies; `stt`, `tts` or `notes` stand in for the models."""

    def __init__(self, config: Config, ready_timeout_s: float = READY_TIMEOUT_S, role: str = "speech") -> None:
        if role not in ROLES:
            raise ValueError(f"unknown model worker role {role!r}")
        self._config = config
        self.role = role
        # The child logs like this process: same level (set by the CLI from the config), format and redaction.
        self._logs = LogSettings(logging.getLogger().getEffectiveLevel(), redact_numbers=not config.privacy.log_content)
        self._ready_timeout_s = ready_timeout_s
        # A child this late is hung, not busy; the LLM child's post-call note may take as long as it is given.
        self._call_timeout_s = max(CALL_TIMEOUT_S, config.models.note_llm.timeout_s + 30) if role != "speech" else CALL_TIMEOUT_S
        # spawn, not fork: a forked child would inherit the daemon's threads' locks mid-use and its listening sockets.
        self._context = multiprocessing.get_context("spawn")
        # Calls come from the scheduler's one thread (and a restart's thread); the lock keeps requests and replies paired.
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None  # set once the child said "ready"
        self._stopped = False
        self.stt = RemoteTranscriber(self)
        self.tts = RemoteSynthesizer(self)
        self.notes = RemoteNoteModel(self)
        self.writer: RemoteNoteWriter | None = None  # set when the child loaded a post-call note model

    @property
    def pid(self) -> int | None:
        """The child's process id while one is running."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def start(self) -> None:
        """Start the child and wait until it has loaded the models; one that cannot load raises its one-line ModelError."""
        with self._lock:
            self._spawn()

    def call(self, method: str, *args: Any) -> Any:
        """One model call in the child. Blocks this thread until the answer comes; waiting in recv() releases the GIL.

        A child that dies under a call (killed, crashed, out of memory) is restarted and the call tried once more, so
        the caller waits a few seconds longer instead of being dropped; a second death on the same call is an error."""
        with self._lock:
            for attempt in (1, 2):
                if self._stopped:
                    raise ModelError("the model worker is stopped")
                if self._conn is None:
                    self._spawn()
                assert self._conn is not None
                try:
                    self._conn.send((method, args))
                    if not self._conn.poll(self._call_timeout_s):
                        how = self._reap(kill=True)
                        raise ModelError(f"{method} got no answer from the model worker in {self._call_timeout_s:.0f} s; "
                                         f"it was ended ({how}) and starts again with the next call")
                    reply = self._conn.recv()
                    break
                except (EOFError, OSError):  # the child's end closed: it died
                    how = self._reap(kill=False)
                    if self._stopped:
                        raise ModelError(f"the model worker process ended ({how}); the daemon is stopping") from None
                    if attempt == 2:
                        raise ModelError(f"the model worker process died twice on {method} ({how}); "
                                         "it starts again with the next call") from None
                    log.warning("the model worker process died (%s); restarting it and trying %s again", how, method)
        if reply[0] == "ok":
            return reply[1]
        _, kind, message = reply
        raise ModelError(message if kind == "ModelError" else f"{method} failed in the model worker: {kind}: {message}")

    def stop(self) -> None:
        """Ask the child to exit, wait for it, and end it if it does not; safe to call twice."""
        self._stopped = True  # no restart from now on
        if not self._lock.acquire(timeout=STOP_TIMEOUT_S):
            # A model call (or a restart) is still running: end the child under it; its caller gets a ModelError.
            _end(self._process, None, grace_s=0)
            return
        try:
            _end(self._process, self._conn, grace_s=STOP_TIMEOUT_S)
            self._process = self._conn = None
        finally:
            self._lock.release()

    def _spawn(self) -> None:
        """Start a child and wait for its "ready"; the caller holds the lock."""
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=serve_models, args=(theirs, self._config, self._logs, self.role),
                                        name=f"voicebridge-{self.role}", daemon=True)
        process.start()
        theirs.close()  # the child holds the only other end now, so its death reads as EOF here
        self._process = process  # published before "ready", so stop() can end a child that is still loading
        try:
            self._wait_ready(ours, process)
        except BaseException:
            ours.close()
            _end(process, None, grace_s=STOP_TIMEOUT_S)  # one that reported an error is exiting by itself
            self._process = None
            raise
        self._conn = ours
        log.info("model worker process %d (%s) ready", process.pid, self.role)

    def _wait_ready(self, conn: Connection, process: BaseProcess) -> None:
        if not conn.poll(self._ready_timeout_s):
            raise ModelError(
                f"the model worker process did not load the models within {self._ready_timeout_s:.0f} s; "
                "fix: check the model files and the machine's load, or set models.isolation = \"thread\""
            )
        try:
            reply = conn.recv()
            if reply[0] == "writer":
                self.writer = RemoteNoteWriter(self, reply[1])
                reply = conn.recv()
        except EOFError:
            process.join(STOP_TIMEOUT_S)
            raise ModelError(f"the model worker process died while loading the models ({_exit_text(process.exitcode)})") from None
        if reply[0] == "error":
            _, kind, message = reply
            raise ModelError(message if kind == "ModelError" else f"the model worker process could not load the models: {kind}: {message}")

    def _reap(self, kill: bool) -> str:
        """Forget the dead (or hung, with kill) child and reap it; how it ended, for the log. The caller holds the lock."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return "exit code unknown"
        if kill:
            process.kill()
        process.join(STOP_TIMEOUT_S)
        return _exit_text(process.exitcode)


def _end(process: BaseProcess | None, conn: Connection | None, grace_s: float) -> None:
    """Stop a child: by message over `conn` when given, by SIGKILL if it is still there after `grace_s`; then reap it."""
    if conn is not None:
        with contextlib.suppress(OSError):  # already gone
            conn.send(None)
    if process is not None:
        process.join(grace_s)
        if process.exitcode is None:
            process.kill()  # not SIGTERM: a child stuck in native code must not hold up the daemon's exit
            process.join(STOP_TIMEOUT_S)
    if conn is not None:
        conn.close()


def _exit_text(code: int | None) -> str:
    if code is None:
        return "exit code unknown"
    if code < 0:
        return f"exit code {code}, {signal.Signals(-code).name}"
    return f"exit code {code}"


class _Remote:
    """A model's stand-in in the daemon's process: each method is one request to the worker process."""

    def __init__(self, worker: ModelWorker) -> None:
        self._worker = worker


class RemoteTranscriber(_Remote):
    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> Transcript:
        return self._worker.call("stt.transcribe", pcm, sample_rate, language)


class RemoteSynthesizer(_Remote):
    def synthesize(self, text: str, language: str, rate: int) -> Speech:
        return self._worker.call("tts.synthesize", text, language, rate)

    def synthesize_rates(self, text: str, language: str, rates: tuple[int, ...]) -> list[Speech]:
        return self._worker.call("tts.synthesize_rates", text, language, rates)


class RemoteNoteModel(_Remote):
    def hints(self, text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints:
        return self._worker.call("notes.hints", text, language, candidates)

    def extract(self, transcript: str, language: str) -> CallNote:
        return self._worker.call("notes.extract", transcript, language)


class RemoteNoteWriter(_Remote):
    def __init__(self, worker: ModelWorker, name: str) -> None:
        super().__init__(worker)
        self.name = name

    def propose(self, transcript: str, language: str) -> Proposed:
        return self._worker.call("writer.propose", transcript, language)

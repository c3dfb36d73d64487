"""Intelligibility of the agent's voices on the phone line: every phrase the agent can say (tests/agent_phrases.py),
synthesized by each available voice, taken to the line as Asterisk delivers it and transcribed by Whisper (the
project's STT, shipped decoding settings), scored as word error rate. Number read-backs are also checked digit for digit.

Lines: 8 kHz slin (AudioSocket), 8 kHz through a G.711 µ-law round trip (most calls), 16 kHz slin (wideband).
Writes benchmarks/results/intelligibility.json and prints the Markdown table the README shows.
Run: PYTHONPATH=. python benchmarks/intelligibility.py [--languages de en] [--lines 8k ulaw 16k]
WER does not depend on machine load; the ms columns (synthesis of the first clause) do.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.agent_phrases import agent_phrases  # noqa: E402
from tests.wer import digits, word_errors  # noqa: E402
from voicebridge.audio.pcm import resample_pcm  # noqa: E402
from voicebridge.config import parse_config  # noqa: E402
from voicebridge.errors import ModelError  # noqa: E402
from voicebridge.models.bundled import bundled_piper_voice  # noqa: E402
from voicebridge.models.registry import load_transcriber  # noqa: E402
from voicebridge.speech.pico import PicoVoiceBackend  # noqa: E402
from voicebridge.speech.tts import EspeakVoiceBackend, PiperVoiceBackend, Voice, speech_chunks  # noqa: E402

RESULTS = Path(__file__).parent / "results"
LINES = {"8k": 8000, "ulaw": 8000, "16k": 16000}


def ulaw_round_trip(pcm: bytes) -> bytes:
    """G.711 µ-law encode and decode (ITU-T G.711, segment law with bias 0x84), as a PSTN/SIP leg does to the audio."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    sign = x < 0
    magnitude = np.minimum(np.abs(x), 32635) + 0x84
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    decoded = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign, -decoded, decoded).astype("<i2").tobytes()


def voices(language: str) -> dict[str, Callable[[], Voice]]:
    if language == "de":
        return {"pico de-DE": lambda: PicoVoiceBackend("de"), "espeak-ng de+m3": lambda: EspeakVoiceBackend("de+m3")}
    return {"piper joe": lambda: PiperVoiceBackend(*bundled_piper_voice(), threads=1),
            "pico en-US": lambda: PicoVoiceBackend("en"), "espeak-ng en-us": lambda: EspeakVoiceBackend("en-us")}


def synthesize(voice: Voice, text: str) -> tuple[list[tuple[bytes, int]], float]:
    """Clause by clause as the call does it (speech_chunks); returns the chunks and the first clause's synthesis ms."""
    chunks, first_ms = [], 0.0
    for i, chunk in enumerate(speech_chunks(text)):
        started = time.perf_counter()
        chunks.extend(voice.sentences(chunk))
        if i == 0:
            first_ms = (time.perf_counter() - started) * 1000
    return chunks, first_ms


def to_line(chunks: list[tuple[bytes, int]], line: str) -> bytes:
    rate = LINES[line]
    pcm = b"".join(resample_pcm(p, r, rate) for p, r in chunks)
    return ulaw_round_trip(pcm) if line == "ulaw" else pcm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=["de", "en"])
    parser.add_argument("--lines", nargs="+", default=list(LINES), choices=list(LINES))
    parser.add_argument("--name", default="intelligibility")
    parser.add_argument("--voices", nargs="+", default=[], help="only voices whose name contains one of these")
    parser.add_argument("--show", action="store_true", help="print every phrase that was misheard")
    args = parser.parse_args()
    config = parse_config({})
    stt_cfg = config.models.stt
    stt = load_transcriber(config)
    rows = []
    for language in args.languages:
        phrases = agent_phrases(language)
        for name, make in voices(language).items():
            if args.voices and not any(v in name for v in args.voices):
                continue
            try:
                voice = make()
            except ModelError as exc:
                print(f"{name}: not available ({exc})")
                continue
            synthesized = [synthesize(voice, p.text) for p in phrases]
            for line in args.lines:
                errors = words = 0
                readbacks_ok = readbacks = 0
                for phrase, (chunks, _ms) in zip(phrases, synthesized, strict=True):
                    pcm = to_line(chunks, line)
                    heard = stt.transcribe(pcm, LINES[line], language).text
                    e, n = word_errors(phrase.text, heard, language)
                    errors, words = errors + e, words + n
                    if phrase.digits:
                        readbacks += 1
                        readbacks_ok += digits(heard, language) == phrase.digits
                    if args.show and e:
                        print(f"  [{name} {line}] {phrase.text!r} -> {heard!r}")
                row = {"language": language, "voice": name, "line": line, "phrases": len(phrases), "words": words,
                       "wer": round(errors / words, 4), "readbacks_exact": readbacks_ok, "readbacks": readbacks,
                       "first_clause_ms_p50": round(statistics.median(ms for _c, ms in synthesized), 1)}
                rows.append(row)
                print(f"{language} {name:16} {line:4} WER {row['wer']:.1%}  read-backs {readbacks_ok}/{readbacks}", flush=True)
                # Written after every row: a long run that is stopped keeps what it measured.
                RESULTS.mkdir(exist_ok=True)
                meta = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                        "stt": f"Whisper base int8, beam {stt_cfg.beam_size}, window {stt_cfg.window_s} s"}
                (RESULTS / f"{args.name}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1), encoding="utf-8")
    print("\n| language | voice | line | WER | number read-backs digit for digit | first clause synthesis p50 |\n|---|---|---|---|---|---|")
    for r in rows:
        line = {"8k": "8 kHz slin", "ulaw": "8 kHz µ-law", "16k": "16 kHz slin"}[r["line"]]
        print(f"| {r['language']} | {r['voice']} | {line} | {r['wer']:.1%} | {r['readbacks_exact']}/{r['readbacks']} | {r['first_clause_ms_p50']:.0f} ms |")


if __name__ == "__main__":
    main()

"""Words Whisper invents on non-speech, with and without the business profile as its context (`models.stt.hotwords`).

The context helps on the business's own words (stt_wer.py) and hurts where Whisper says it back on noise
("Musterbetrieb", or cut off: "Musterbet"). The transcriber's echo guard catches that; this measures what gets
through. Audio: the non-speech minutes of vad_compare.py (line noise, mains hum, real music on hold, DTMF keys, a TV
in the background), cut into 1-4 s pieces as if the endpointer had handed each to Whisper (the worst case: in a
call most of them never pass the VAD). Settings: no context (shipped), the profile context with the guard as it
was (whole context words only) and as it is (cut-off context words too).
Run: PYTHONPATH=. python benchmarks/context_noise.py [--pieces 30] [--show]
The counts do not depend on machine load, but Whisper's int8 output does depend on the CPU: name the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.vad_compare import RATE, dtmf, hum, line_noise, music, tv  # noqa: E402
from voicebridge.audio.pcm import to_pcm  # noqa: E402
from voicebridge.config import load_config  # noqa: E402
from voicebridge.models.registry import load_transcriber, profile_hotwords  # noqa: E402
from voicebridge.speech import stt as stt_module  # noqa: E402

RESULTS = Path(__file__).parent / "results"
WORD = stt_module._WORD_RE  # words as the transcriber's guard counts them


def whole_words_only(text: str, context: str) -> bool:
    """The guard before cut-off words counted: every word of the text is a whole word of the context."""
    said = {w.casefold() for w in WORD.findall(text)}
    return bool(said) and said <= {w.casefold() for w in WORD.findall(context)}


def pieces(track: np.ndarray, count: int, rng: np.random.Generator) -> list[bytes]:
    out = []
    for _ in range(count):
        length = int(rng.uniform(1.0, 4.0) * RATE)
        start = int(rng.integers(0, max(len(track) - length, 1)))
        out.append(to_pcm(track[start : start + length]))
    return out


def context_words(text: str, context: str) -> list[str]:
    """Words of the transcript that are a context word or its start: the context said back."""
    words = {w.casefold() for w in WORD.findall(context)}
    return [w for w in WORD.findall(text) if any(c.startswith(w.casefold()) for c in words) and len(w) >= 3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=30, help="pieces per noise and language")
    parser.add_argument("--name", default="context_noise")
    parser.add_argument("--show", action="store_true", help="print every piece that came out as words")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    seconds = 60.0
    tracks = {"line noise -40 dBFS": line_noise(seconds, rng, -40), "mains hum": hum(seconds, rng), "music on hold": music(seconds),
              "DTMF keys": dtmf(seconds, rng), "TV in the background": tv(seconds, rng)}
    audio = {name: pieces(track, args.pieces, np.random.default_rng(7)) for name, track in tracks.items()}
    config = load_config(None)
    context = profile_hotwords(config)
    settings: dict[str, tuple[dict[str, str] | None, Callable[[str, str], bool]]] = {
        "none (shipped)": (None, stt_module.echoes_context),
        "profile, whole-word guard": (context, whole_words_only),
        "profile, cut-off guard": (context, stt_module.echoes_context),
    }
    guard = stt_module.echoes_context
    rows = []
    for setting, (ctx, rule) in settings.items():
        stt = load_transcriber(config, ctx)
        stt_module.echoes_context = rule  # type: ignore[assignment]  # the transcriber looks the guard up at call time
        try:
            for noise, clips in audio.items():
                for language in ("de", "en"):
                    worded = words = echoed = 0
                    audio_s = 0.0
                    for pcm in clips:
                        heard = stt.transcribe(pcm, RATE, language)
                        audio_s += len(pcm) / 2 / RATE
                        said = WORD.findall(heard.text)
                        if said:
                            worded += 1
                            words += len(said)
                            echoed += bool(context_words(heard.text, context[language]))
                            if args.show:
                                print(f"  [{setting} · {noise} · {language}] {heard.text!r}")
                    rows.append({"setting": setting, "noise": noise, "language": language, "pieces": len(clips),
                                 "audio_s": round(audio_s, 1), "pieces_with_words": worded, "words": words,
                                 "pieces_with_context_words": echoed})
                    print(f"{setting:27} {noise:22} {language}  {worded:2}/{len(clips)} pieces with words, {words} words, "
                          f"{echoed} with context words", flush=True)
        finally:
            stt_module.echoes_context = guard  # type: ignore[assignment]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"pieces_per_noise": args.pieces, "rows": rows}, indent=1), encoding="utf-8")
    print("\n| setting | " + " | ".join(tracks) + " | all: pieces with words / with context words |")
    print("|---|" + "---|" * (len(tracks) + 1))
    for setting in settings:
        mine = [r for r in rows if r["setting"] == setting]
        cells = [f"{sum(r['pieces_with_words'] for r in mine if r['noise'] == n)} / {sum(r['pieces_with_context_words'] for r in mine if r['noise'] == n)}"
                 for n in tracks]
        total = sum(r["pieces"] for r in mine)
        print(f"| {setting} | " + " | ".join(cells)
              + f" | {sum(r['pieces_with_words'] for r in mine)} / {sum(r['pieces_with_context_words'] for r in mine)} of {total} |")


if __name__ == "__main__":
    main()

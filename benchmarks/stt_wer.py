"""Speech recognition word error rate on recorded human telephone speech, for the shipped decoding settings and the
alternatives (beam 1 vs 5, the short encoder window vs Whisper's 30 s, a context prompt built from the business
profile as hotwords or as an initial_prompt), with the compute time each costs.

Sets (8 kHz, as the line carries them; tests/speech_samples.py):
  en-tune / en-held: Allison Smith's Asterisk prompts with their published texts, split by a hash of the name; settings
                     are chosen on en-tune, en-held is reported and nobody looked at it while choosing.
  de-words:          the German prompts whose words follow from their names (numbers, weekdays, months, the spelling
                     alphabet): single isolated words, the hardest case for Whisper.
  de-numbers:        phone numbers and dates a caller says, assembled from the same speaker's recorded digits/weekdays/months.
  de-profile:        caller sentences naming the example business's services and towns, spoken by Pico on 8 kHz µ-law:
                     synthetic, the only set where the profile prompt can help (labelled as such).
Run: PYTHONPATH=. python benchmarks/stt_wer.py [--settings shipped beam5 ...] [--limit N]
WER does not depend on machine load; the ms columns do (this machine is shared: say so when quoting them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.intelligibility import ulaw_round_trip  # noqa: E402
from tests.speech_samples import german_prompt, prompts  # noqa: E402
from tests.wer import word_errors  # noqa: E402
from voicebridge.config import BusinessConfig, load_config  # noqa: E402
from voicebridge.models.registry import whisper_dir  # noqa: E402
from voicebridge.speech.pico import PicoVoiceBackend  # noqa: E402
from voicebridge.speech.stt import Transcriber  # noqa: E402
from voicebridge.speech.tts import Synthesizer  # noqa: E402

RESULTS = Path(__file__).parent / "results"
GAP = bytes(8000 * 2 // 5)
DAYS = ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
PROFILE_UTTERANCES = (
    "Ich brauche jemanden für eine Rohrreinigung in Unterschleißheim.",
    "Kommen Sie auch nach Garching oder nach Pullach?",
    "Wir möchten eine Badsanierung in Unterhaching machen lassen.",
    "Die Wartung von unserer Gasheizung in Haar ist fällig.",
    "Ist das die Firma Musterbetrieb? Ich habe einen Wasserschaden in München.",
    "Meine Heizung in Unterschleißheim ist ausgefallen.",
    "Ich rufe wegen der Sanitär Arbeiten in Garching an.",
    "Können Sie eine Rohrreinigung in Pullach machen?",
)


@dataclass(frozen=True)
class Setting:
    beam: int
    window_s: float
    prompt: str  # "", "hotwords" or "initial_prompt"


SETTINGS = {
    "shipped": Setting(1, 10.0, ""),
    "beam5": Setting(5, 10.0, ""),
    "window30": Setting(1, 30.0, ""),
    "beam5-window30": Setting(5, 30.0, ""),
    "hotwords": Setting(1, 10.0, "hotwords"),
    "initial_prompt": Setting(1, 10.0, "initial_prompt"),
}


def profile_prompt(business: BusinessConfig, kind: str, language: str) -> str:
    """The business's own words: its name, services and towns, as a word list (hotwords) or a sentence."""
    p = business.profile
    services = p.services if language == "de" or not p.services_en else p.services_en
    if kind == "hotwords":
        return ", ".join([business.name, *services, *p.service_area_towns])
    if language == "de":
        return f"Anruf bei {business.name}: {', '.join(services)}. Einsatzgebiet {', '.join(p.service_area_towns)}."
    return f"A call to {business.name}: {', '.join(services)}. We cover {', '.join(p.service_area_towns)}."


def german_numbers(rng: random.Random) -> list[tuple[str, bytes]]:
    """Phone numbers digit by digit and dates ("Montag, 12 März"), from the real speaker's recorded words."""
    items = []
    for _ in range(12):
        number = "0" + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 9, 10))))
        items.append((" ".join(number), GAP + b"".join(german_prompt(f"digits/{d}") + bytes(1600) for d in number)))
    for _ in range(10):
        day, n, month = rng.randrange(7), rng.choice([*range(1, 21), 30]), rng.randrange(12)
        parts = [f"digits/day-{day}", f"digits/{n}", f"digits/mon-{month}"]
        items.append((f"{DAYS[day]} {n} {MONTHS[month]}", GAP + b"".join(german_prompt(p) + GAP for p in parts)))
    return items


def test_sets(limit: int) -> dict[str, tuple[str, list[tuple[str, bytes]]]]:
    english = [(p.text, GAP + p.pcm + GAP) for p in prompts("en")]
    names = [p.name for p in prompts("en")]
    held = [item for item, name in zip(english, names, strict=True) if hashlib.sha256(name.encode()).digest()[0] % 2]
    tune = [item for item, name in zip(english, names, strict=True) if not hashlib.sha256(name.encode()).digest()[0] % 2]
    rng = random.Random(20261201)
    rng.shuffle(held)
    rng.shuffle(tune)
    voice = Synthesizer({"de": PicoVoiceBackend("de")})
    profile = [(t, GAP + ulaw_round_trip(voice.synthesize(t, "de", 8000).pcm) + GAP) for t in PROFILE_UTTERANCES]
    return {
        "en-tune": ("en", tune[:limit]),
        "en-held": ("en", held[:limit]),
        "de-words": ("de", [(p.text, GAP + p.pcm + GAP) for p in prompts("de")]),
        "de-numbers": ("de", german_numbers(random.Random(7))),
        "de-profile": ("de", profile),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--sets", nargs="+", default=["en-tune", "en-held", "de-words", "de-numbers", "de-profile"])
    parser.add_argument("--limit", type=int, default=60, help="English prompts per split (of ~280)")
    parser.add_argument("--name", default="stt_wer")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    config = load_config(None)
    stt_cfg = config.models.stt
    sets = {k: v for k, v in test_sets(args.limit).items() if k in args.sets}
    rows = []
    for name in args.settings:
        setting = SETTINGS[name]
        stt = Transcriber(whisper_dir(config), stt_cfg.device, stt_cfg.compute_type, stt_cfg.threads, setting.beam, setting.window_s)
        for set_name, (language, items) in sets.items():
            context = profile_prompt(config.business, setting.prompt, language) if setting.prompt else ""
            errors = words = 0
            compute_ms = audio_ms = 0.0
            started = time.perf_counter()
            for text, pcm in items:
                heard = stt.transcribe(pcm, 8000, language, prompt=context)
                e, n = word_errors(text, heard.text, language)
                errors, words = errors + e, words + n
                compute_ms, audio_ms = compute_ms + heard.compute_ms, audio_ms + heard.audio_ms
                if args.show and e:
                    print(f"  [{name} {set_name}] {text!r} -> {heard.text!r}")
            row = {"setting": name, "beam": setting.beam, "window_s": setting.window_s, "prompt": setting.prompt, "set": set_name,
                   "items": len(items), "words": words, "wer": round(errors / max(words, 1), 4),
                   "ms_per_utterance": round(compute_ms / max(len(items), 1), 1), "ms_per_audio_s": round(compute_ms / max(audio_ms / 1000, 1e-9), 1),
                   "wall_s": round(time.perf_counter() - started, 1)}
            rows.append(row)
            print(f"{name:15} {set_name:10} WER {row['wer']:6.1%}  {row['ms_per_utterance']:6.0f} ms/utterance", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"rows": rows}, indent=1), encoding="utf-8")
    set_names = list(sets)
    print("\n| setting | " + " | ".join(set_names) + " | ms per utterance (mean over all sets) |")
    print("|---|" + "---|" * (len(set_names) + 1))
    for name in args.settings:
        mine = {r["set"]: r for r in rows if r["setting"] == name}
        total_ms = sum(r["ms_per_utterance"] * r["items"] for r in mine.values()) / max(sum(r["items"] for r in mine.values()), 1)
        print(f"| {name} | " + " | ".join(f"{mine[s]['wer']:.1%}" for s in set_names) + f" | {total_ms:.0f} |")


if __name__ == "__main__":
    main()

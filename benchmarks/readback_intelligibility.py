"""Number read-backs on the phone line, digit for digit: random callback numbers read back by each voice in each
way of rendering the digits for the TTS (pauses, "oh" or "zero"), taken to 8 kHz slin and G.711 µ-law, heard by Whisper.

Sets: `tune` (seed 1, the renderings are chosen on it), `held` (seed 2, reported once the choice is made) and `held2`
(seed 3, first used for the Pico pace of 2026-12-03, once).
Scores: read-backs with every digit right, in order; digit errors (edit distance over the digit strings) per digit.
Run: PYTHONPATH=. python benchmarks/readback_intelligibility.py --set tune [--languages en] [--renderings shipped oh]
`--contexts none profile` also hears every read-back with the example profile as Whisper's context
(`[models.stt] hotwords = "profile"`): a digit string read out is what a caller's number sounds like, so this is where
the context could cost digits ("five, five, five" heard as two fives).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.intelligibility import LINES, synthesize, to_line, voices  # noqa: E402
from tests.wer import digits, edit_distance  # noqa: E402
from voicebridge.config import parse_config  # noqa: E402
from voicebridge.dialogue.parsers import parse_phone_number  # noqa: E402
from voicebridge.dialogue.parsers.phone import PhoneNumber  # noqa: E402
from voicebridge.dialogue.phrases import PHRASES  # noqa: E402
from voicebridge.models.registry import load_transcriber, profile_hotwords  # noqa: E402
from voicebridge.speech.pico import PICO_LANGUAGES, PicoVoiceBackend  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SEEDS = {"tune": 1, "held": 2, "held2": 3}
_WORDS = {
    "de": ("null", "eins", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}


def random_numbers(language: str, seed: int, count: int) -> list[str]:
    """Callback numbers as callers give them: mobile, landline with area code, international."""
    rng = random.Random(seed * 100 + (language == "en"))
    out = []
    for i in range(count):
        d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
        kind = i % 3
        if language == "de":
            out.append([f"01{rng.choice('567')}{d(1)} {d(7)}", f"0{rng.choice('2345678')}{d(2)} {d(6)}", f"+49 {rng.choice('3456789')}{d(1)} {d(7)}"][kind])
        else:
            out.append([f"07{rng.choice('3456789')}{d(2)} {d(6)}", f"01{d(3)} {d(3)} {d(4)}", f"+1 {rng.choice('23456789')}{d(2)} {d(3)} {d(4)}"][kind])
    return out


def _render(zero: str, inner: str, outer: str) -> Callable[[PhoneNumber, str], str]:
    def render(phone: PhoneNumber, language: str) -> str:
        words = list(_WORDS[language])
        if zero:
            words[0] = zero
        return outer.join(inner.join("plus" if ch == "+" else words[int(ch)] for ch in group) for group in phone.groups)

    return render


def _pairs(phone: PhoneNumber, language: str) -> str:
    """The first group digit by digit, the rest in pairs as German callers read numbers ("null eins sieben eins –
    zweiunddreißig, vierundfünfzig, acht"); a pair with a leading zero stays two digits. The voice says the numerals."""
    words = _WORDS[language]
    spoken = ["plus" if ch == "+" else words[int(ch)] for ch in phone.groups[0]]
    out = [", ".join(spoken)]
    for group in phone.groups[1:]:
        pairs = [group[i:i + 2] for i in range(0, len(group), 2)]
        out.append(", ".join(p if len(p) == 2 and p[0] != "0" else ", ".join(words[int(c)] for c in p) for p in pairs))
    return " – ".join(out)


RENDERINGS: dict[str, Callable[[PhoneNumber, str], str]] = {
    "shipped": lambda phone, language: phone.spoken_back(language),
    "commas-dash": _render("", ", ", " – "),
    "oh": _render("oh", ", ", " – "),
    "stops": _render("", ", ", ". "),
    "oh-stops": _render("oh", ", ", ". "),
    "spaces-commas": _render("", " ", ", "),
    "pairs": _pairs,
}


def pico_variants(language: str, specs: list[str]) -> dict[str, Callable[[], object]]:
    out: dict[str, Callable[[], object]] = {}
    for spec in specs:
        found = re.fullmatch(r"(?:s(\d+))?(?:b(\d+))?", spec)
        if not found or not spec:
            raise SystemExit(f"--pico-variants: {spec!r} is not sNN, bMM or sNNbMM")
        speed, pause = int(found.group(1) or 100), int(found.group(2) or 0)
        out[f"pico {PICO_LANGUAGES[language]} {spec}"] = lambda s=speed, b=pause: PicoVoiceBackend(language, s, b)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=list(SEEDS), default="tune")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--languages", nargs="+", default=["en"])
    parser.add_argument("--lines", nargs="+", default=["8k", "ulaw"], choices=list(LINES))
    parser.add_argument("--renderings", nargs="+", default=["shipped"], choices=list(RENDERINGS))
    parser.add_argument("--voices", nargs="+", default=["piper", "pico"], help="voices whose name contains one of these")
    parser.add_argument("--pico-variants", nargs="+", default=[], metavar="sNNbMM",
                        help="also Pico with its digit runs at NN%% speed and MM ms between equal digits (s80, b250, s80b250)")
    parser.add_argument("--show", action="store_true", help="print every read-back that lost a digit")
    parser.add_argument("--name", default="", help="result file name (default readback_<set>[_contexts])")
    parser.add_argument("--contexts", nargs="+", default=["none"], choices=("none", "profile"), help="Whisper's context")
    args = parser.parse_args()
    config = parse_config({})
    contexts = {"none": None, "profile": profile_hotwords(config)}
    hearers = {c: load_transcriber(config, contexts[c]) for c in args.contexts}
    suffix = "" if args.contexts == ["none"] else "_contexts"
    rows = []
    for language in args.languages:
        phones = [parse_phone_number(n, language) for n in random_numbers(language, SEEDS[args.set], args.count)]
        assert all(phones)
        for name, make in (voices(language) | pico_variants(language, args.pico_variants)).items():
            if not any(v in name for v in args.voices):
                continue
            voice = make()
            for rendering in args.renderings:
                texts = [PHRASES[language]["readback"].format(digits=RENDERINGS[rendering](p, language)) for p in phones if p]
                audio = [synthesize(voice, t)[0] for t in texts]
                for line, (context, stt) in ((line, h) for line in args.lines for h in hearers.items()):
                    exact = digit_errors = digit_count = 0
                    for phone, text, chunks in zip(phones, texts, audio, strict=True):
                        assert phone is not None
                        want = phone.number.lstrip("+")
                        heard = stt.transcribe(to_line(chunks, line), LINES[line], language).text
                        got = digits(heard, language)
                        exact += got == want
                        digit_errors += edit_distance(list(want), list(got))
                        digit_count += len(want)
                        if args.show and got != want:
                            print(f"  [{name} {rendering} {line} context={context}] {text!r} -> {heard!r}")
                    row = {"set": args.set, "language": language, "voice": name, "rendering": rendering, "line": line,
                           "context": context, "exact": exact, "readbacks": len(texts),
                           "digit_error_rate": round(digit_errors / digit_count, 4)}
                    rows.append(row)
                    print(f"{language} {name:12} {rendering:14} {line:4} context {context:7} exact {exact}/{len(texts)}  "
                          f"digit errors {row['digit_error_rate']:.1%}", flush=True)
                    RESULTS.mkdir(exist_ok=True)
                    (RESULTS / f"{args.name or f'readback_{args.set}{suffix}'}.json").write_text(json.dumps({"rows": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""STT throughput for concurrent calls: N caller utterances transcribed one after another vs. as one batch, by encoder
window and thread count, with the bundled Whisper model (what the STT lane of `[models]` runs).

Settings are interleaved round by round, so a busy machine slows them alike. Prints a Markdown table; --json writes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from voicebridge.audio.pcm import resample, to_float
from voicebridge.config import parse_config
from voicebridge.models.bundled import bundled_whisper
from voicebridge.models.registry import load_voices
from voicebridge.speech.tts import Synthesizer

sys.path.insert(0, str(Path(__file__).parent))
from latency import UTTERANCES, trim_trailing_silence  # noqa: E402  (benchmarks/ is not a package)

WHISPER_RATE = 16000


def features_for(model, samples: list[np.ndarray], window_s: float) -> tuple[np.ndarray, list[int]]:  # type: ignore[no-untyped-def]
    """Log-mel features of each utterance padded to one shared window: max(longest + 1 s, window_s)."""
    feats = [model.feature_extractor(s) for s in samples]
    frames = [f.shape[-1] for f in feats]
    target = max(max(frames) + 100, int(window_s * 100))
    return np.stack([np.pad(f, ((0, 0), (0, target - f.shape[-1]))) for f in feats]).astype(np.float32), frames


def decode(model, batch: np.ndarray, frames: list[int], prompt: list[int]) -> list[list[int]]:  # type: ignore[no-untyped-def]
    import ctranslate2

    result = model.model.generate(ctranslate2.StorageView.from_array(np.ascontiguousarray(batch)), [prompt] * len(batch),
                                  beam_size=1, max_length=int(12 + 7 * max(frames) / 100), no_repeat_ngram_size=4)
    return [r.sequences_ids[0] for r in result]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="1,4,8", help="concurrent utterances, comma-separated")
    parser.add_argument("--windows", default="10,6", help="encoder windows in seconds (at least the utterance + 1 s)")
    parser.add_argument("--threads", default="2,1", help="CTranslate2 intra-op threads to compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default="", help="write the rows to this file")
    args = parser.parse_args()
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    cfg = parse_config({})
    tts = Synthesizer(load_voices(cfg))
    pcm = [trim_trailing_silence(tts.synthesize(t, "en", 8000).pcm, 8000) for t in UTTERANCES["en"]]
    samples = [resample(to_float(p), 8000, WHISPER_RATE).astype(np.float32) for p in pcm]
    models = {t: WhisperModel(str(bundled_whisper(cfg.cache_dir)), device="cpu", compute_type="int8", cpu_threads=t, local_files_only=True)
              for t in (int(x) for x in args.threads.split(","))}
    any_model = next(iter(models.values()))
    tok = Tokenizer(any_model.hf_tokenizer, any_model.model.is_multilingual, task="transcribe", language="en")
    prompt = [*tok.sot_sequence, tok.no_timestamps]
    settings = [(c, w, t, mode) for c in (int(x) for x in args.calls.split(",")) for w in (float(x) for x in args.windows.split(","))
                for t in models for mode in ("sequential", "batched")]
    timings: dict[tuple[int, float, int, str], list[float]] = {s: [] for s in settings}
    texts: dict[tuple[int, float, int, str], list[str]] = {}
    for _ in range(args.rounds):
        for c, w, t, mode in settings:
            group = [samples[i % len(samples)] for i in range(c)]
            model = models[t]
            started = time.perf_counter()
            if mode == "batched":
                batch, frames = features_for(model, group, w)
                ids = decode(model, batch, frames, prompt)
            else:
                ids = []
                for one in group:
                    batch, frames = features_for(model, [one], w)
                    ids += decode(model, batch, frames, prompt)
            timings[(c, w, t, mode)].append((time.perf_counter() - started) * 1000)
            texts[(c, w, t, mode)] = [tok.decode([i for i in seq if i < tok.eot]).strip() for seq in ids]
    rows = []
    print("| utterances | window s | threads | mode | all done (ms, median) | per utterance | same words as 10 s sequential |")
    print("|---|---|---|---|---|---|---|")
    for c, w, t, mode in settings:
        total = statistics.median(timings[(c, w, t, mode)])
        reference = texts.get((c, 10.0, t, "sequential"), texts[(c, w, t, mode)])
        same = sum(a == b for a, b in zip(texts[(c, w, t, mode)], reference, strict=True))
        rows.append({"utterances": c, "window_s": w, "threads": t, "mode": mode, "total_ms": total, "per_utterance_ms": total / c,
                     "same_words": same})
        print(f"| {c} | {w:g} | {t} | {mode} | {total:.0f} | {total / c:.0f} | {same}/{c} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

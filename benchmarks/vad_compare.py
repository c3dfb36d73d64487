"""Voice activity detectors on real telephone audio: webrtcvad, Silero VAD v6 (faster-whisper's ONNX) and both
(webrtcvad flag confirmed by Silero), through the daemon's own Endpointer and BargeInDetector at their shipped settings.

Speech: recorded human prompts (German and English speakers, tests/speech_samples.py) with pauses, over line noise.
Non-speech, one minute each: line noise, mains hum, real music on hold (asterisk-moh-opsound), DTMF key presses,
a TV in the background (recorded speech low-passed and 20 dB down, over music).
Reports false triggers per minute (turn starts, turns that would reach Whisper, barge-in pauses), missed speech
onsets, onset delay, and CPU per 20 ms frame. Run: PYTHONPATH=. python benchmarks/vad_compare.py
The detection figures do not depend on machine load; the CPU column does.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.speech_samples import prompts, read_wav, samples_dir  # noqa: E402
from voicebridge.audio.pcm import rms_dbfs, to_pcm  # noqa: E402
from voicebridge.config import parse_config  # noqa: E402
from voicebridge.turn.barge_in import BargeInDetector, Verdict  # noqa: E402
from voicebridge.turn.endpointer import Endpointer, SpeechStarted, UtteranceEnded, VoiceDetector  # noqa: E402

RATE = 8000
FRAME = RATE // 50  # samples per 20 ms
DETECTORS = ("webrtc", "silero", "both")
DTMF = {"1": (697, 1209), "2": (697, 1336), "5": (770, 1336), "9": (852, 1477), "0": (941, 1336), "#": (941, 1477)}


def db(level_dbfs: float) -> float:
    return float(10 ** (level_dbfs / 20))


def line_noise(seconds: float, rng: np.random.Generator, level_dbfs: float = -55) -> np.ndarray:
    noise = rng.standard_normal(int(seconds * RATE)).astype(np.float32)
    return noise / np.sqrt(np.mean(noise**2)) * db(level_dbfs)


def hum(seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 3, 5, 7))
    return (tone / np.sqrt(np.mean(tone**2)) * db(-30)).astype(np.float32) + line_noise(seconds, rng)


def dtmf(seconds: float, rng: np.random.Generator) -> np.ndarray:
    out = [line_noise(0.5, rng)]
    t = np.arange(int(0.12 * RATE)) / RATE
    total = 0.5
    while total < seconds:
        low, high = DTMF[str(rng.choice(list(DTMF)))]
        out += [(0.25 * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))).astype(np.float32), line_noise(0.15, rng)]
        if rng.random() < 0.2:
            out.append(line_noise(1.0, rng))
            total += 1.0
        total += 0.27
    return np.concatenate(out)[: int(seconds * RATE)]


def music(seconds: float, offset_s: float = 30) -> np.ndarray:
    track = sorted((samples_dir() / "moh").glob("*.wav"))[0]
    samples = np.frombuffer(read_wav(track), dtype="<i2").astype(np.float32) / 32768
    start = int(offset_s * RATE)
    return samples[start : start + int(seconds * RATE)]


def tv(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Speech from another room: recorded prompts, low-passed (a TV through a wall), 20 dB below a caller, over music."""
    speech = np.concatenate([np.frombuffer(p.pcm, dtype="<i2").astype(np.float32) / 32768 for p in prompts("en")[100:160]])
    speech = speech[: int(seconds * RATE)]
    kernel = np.hamming(31) * np.sinc(2 * 0.15 * (np.arange(31) - 15))
    speech = np.convolve(speech, kernel / kernel.sum(), mode="same")
    level = speech / max(np.sqrt(np.mean(speech**2)), 1e-9) * db(-38)
    back = music(seconds, 60)
    back = back / max(np.sqrt(np.mean(back**2)), 1e-9) * db(-45)
    return (level[: len(back)] + back[: len(level)] + line_noise(min(len(level), len(back)) / RATE, rng)).astype(np.float32)


def speech_track(rng: np.random.Generator, count: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Real prompts (half German, half English) with 0.8-2 s pauses; returns audio and (onset, end) sample indexes of speech."""
    pool = [p for p in prompts("de") if len(p.pcm) > 8000] + [p for p in prompts("en") if len(p.pcm) > 12000]
    random.Random(5).shuffle(pool)
    parts, spans, at = [line_noise(1.0, rng)], [], RATE
    for prompt in pool[:count]:
        samples = np.frombuffer(prompt.pcm, dtype="<i2").astype(np.float32) / 32768
        frames = samples[: len(samples) // 80 * 80].reshape(-1, 80)
        loud = np.flatnonzero(10 * np.log10(np.mean(frames**2, axis=1) + 1e-12) > -40)
        if len(loud) == 0:
            continue
        spans.append((at + loud[0] * 80, at + (loud[-1] + 1) * 80))
        gap = line_noise(rng.uniform(0.8, 2.0), rng)
        parts += [samples + line_noise(len(samples) / RATE, rng), gap]
        at += len(samples) + len(gap)
    return np.concatenate(parts), spans


def run(detector: str, audio: np.ndarray) -> tuple[list[int], list[int], list[int], float, float]:
    """Feed 20 ms frames as the call does. Returns turn-start sample indexes, turns kept (not noise), barge-in pause
    indexes, the detector's mean CPU µs per frame and the share of frames flagged as speech."""
    cfg = parse_config({})
    vad = VoiceDetector(RATE, cfg.vad.aggressiveness, detector)
    endpointer = Endpointer(RATE, cfg.vad.hangover_ms, cfg.vad.min_speech_ms, int(cfg.vad.max_utterance_s * 1000))
    barge = BargeInDetector(cfg.barge_in.pause_ms, cfg.barge_in.confirm_ms, cfg.barge_in.resume_ms)
    starts, kept, pauses = [], [], []
    pcm = to_pcm(audio)
    cpu = 0.0
    frames = flagged_frames = 0
    for i in range(0, len(pcm) - FRAME * 2 + 1, FRAME * 2):
        begin = time.process_time()
        flagged = vad.frames(pcm[i : i + FRAME * 2])
        cpu += time.process_time() - begin
        for frame, speech in flagged:
            frames += 1
            flagged_frames += speech
            for event in endpointer.process(frame, speech):
                if isinstance(event, SpeechStarted):
                    starts.append(i // 2)
                elif isinstance(event, UtteranceEnded):
                    kept.append(i // 2)
            if barge.process(True, speech) is Verdict.PAUSE:
                pauses.append(i // 2)
    return starts, kept, pauses, cpu / max(frames, 1) * 1e6, flagged_frames / max(frames, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=80)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--name", default="vad_compare")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    speech, spans = speech_track(rng, args.prompts)
    noise_tracks = {"line noise -40 dBFS": line_noise(args.seconds, rng, -40), "mains hum": hum(args.seconds, rng),
                    "music on hold": music(args.seconds), "DTMF keys": dtmf(args.seconds, rng), "TV in the background": tv(args.seconds, rng)}
    for name, track in noise_tracks.items():
        print(f"{name}: {rms_dbfs(to_pcm(track)):.0f} dBFS")
    rows = []
    for detector in DETECTORS:
        starts, kept, pauses, cpu_us, _share = run(detector, speech)
        delays, missed = [], 0
        for onset, end in spans:
            hit = [s for s in starts if onset - RATE // 5 <= s <= end]
            if hit:
                delays.append((hit[0] - onset) / RATE * 1000)
            else:
                missed += 1
        # A start outside every speech span (with 300 ms slack after its end) is a false start on the speech track.
        stray = sum(1 for s in starts if not any(o - RATE // 5 <= s <= e + int(0.3 * RATE) for o, e in spans))
        row = {"detector": detector, "onsets": len(spans), "missed_onsets": missed,
               "onset_delay_ms_p50": round(statistics.median(delays), 0) if delays else None,
               "stray_starts_in_pauses": stray, "cpu_us_per_frame": round(cpu_us, 1), "noise": {}}
        for name, track in noise_tracks.items():
            n_starts, n_kept, n_pauses, _, share = run(detector, track)
            minutes = len(track) / RATE / 60
            row["noise"][name] = {"starts_per_min": round(len(n_starts) / minutes, 1), "turns_per_min": round(len(n_kept) / minutes, 1),
                                  "barge_pauses_per_min": round(len(n_pauses) / minutes, 1), "speech_flagged_pct": round(share * 100, 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    out = Path(__file__).parent / "results" / f"{args.name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows}, indent=1), encoding="utf-8")
    print("\n| detector | missed onsets | onset delay p50 | CPU per 20 ms frame | " + " | ".join(noise_tracks) + " |")
    print("|---|---|---|---|" + "---|" * len(noise_tracks))
    for r in rows:
        cells = [f"{r['noise'][n]['speech_flagged_pct']:g}% · {r['noise'][n]['turns_per_min']:g} · {r['noise'][n]['barge_pauses_per_min']:g}"
                 for n in noise_tracks]
        print(f"| {r['detector']} | {r['missed_onsets']}/{r['onsets']} | {r['onset_delay_ms_p50']:.0f} ms | {r['cpu_us_per_frame']:.0f} µs | "
              + " | ".join(cells) + " |")
    print("(noise cells: frames flagged as speech · turns reaching Whisper per minute · barge-in pauses per minute)")


if __name__ == "__main__":
    main()

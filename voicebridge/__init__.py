"""voicebridge: a self-hosted, real-time AI phone receptionist.

Everything runs on the PBX's own box: AudioSocket in, VAD, Whisper, LLM, Piper out, SQLite on the side.
"""

__version__ = "0.1.0"

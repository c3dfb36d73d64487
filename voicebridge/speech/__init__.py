"""Speech models: Whisper for listening, Piper/espeak-ng for speaking. Blocking calls, run by the scheduler."""

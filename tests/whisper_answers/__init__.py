"""Caller answers to the agent's questions, synthesized and transcribed by the project's Whisper: regression fixtures for the parsers."""

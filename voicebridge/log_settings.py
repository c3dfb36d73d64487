"""How voicebridge logs, as one value: the CLI applies it at start-up and hands it to the model worker process,
so the worker's lines look the same, reach the same stderr and are redacted the same way."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from voicebridge.config import Config

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class LogSettings:
    level: int | str = logging.INFO
    format: str = LOG_FORMAT
    redact_numbers: bool = True  # privacy.log_content = false: phone numbers are masked in every line

    @classmethod
    def from_config(cls, config: Config) -> LogSettings:
        return cls(config.logging.level, LOG_FORMAT, not config.privacy.log_content)

    def apply(self) -> None:
        """Configure this process's root logger, replacing handlers set up before (a spawned child re-runs the main module)."""
        logging.basicConfig(level=self.level, format=self.format, stream=sys.stderr, force=True)
        if self.redact_numbers:
            from voicebridge.privacy.redaction import PhoneNumberFilter

            for handler in logging.getLogger().handlers:
                handler.addFilter(PhoneNumberFilter())
        # faster-whisper logs every transcription at INFO; that is our job, at our level.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)

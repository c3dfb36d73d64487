"""Errors that reach the operator as one line.

Each carries what is wrong and how to fix it; the CLI prints `str(err)` and exits, never a traceback.
"""


class VoicebridgeError(Exception):
    """Base for operator-facing errors: the message is the whole story."""


class ConfigError(VoicebridgeError):
    """The configuration file is missing, unparsable, or has an unknown key or bad value."""


class ModelError(VoicebridgeError):
    """A model file is missing or cannot be loaded."""


class StoreError(VoicebridgeError):
    """The call database cannot be opened or written."""

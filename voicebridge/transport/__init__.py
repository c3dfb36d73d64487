"""Transports: bytes and framing only; the call pipeline never sees a socket."""

"""Dialogue: what the agent says next, and what the call note records."""

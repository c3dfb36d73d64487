"""JSON text frames from a peer, parsed only when their nesting is shallow: `[[[[…` 3,000 deep would otherwise reach
Python's recursion limit inside json.loads. For every websocket transport (FreeSWITCH, the browser phone)."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32  # metadata and control frames are one or two levels deep


class JsonFrameError(ValueError):
    """A text frame that is not acceptable JSON; the message names the fault, never the content."""


def load_json_frame(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonFrameError(f"JSON nested {depth} levels deep (limit {max_depth})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFrameError(f"not JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:  # cannot happen below the depth limit; kept so no traceback can reach a peer's log line
        raise JsonFrameError("JSON nested too deeply") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, brackets inside strings not counted; linear, no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest

"""The context guard's test of a transcript: is it only the business's own words said back?"""

import pytest

from voicebridge.speech.stt import echoes_context

CONTEXT = "Musterbetrieb Sanitär und Heizung. Rohrreinigung, Badsanierung. Unterhaching, Pullach."


@pytest.mark.parametrize(
    ("text", "echoed"),
    [
        ("Musterbetrieb Musterbetrieb", True),
        ("Musterbet", True),  # cut off by the token cap on hiss: the case whole-word matching let through
        ("Musterbetrieb, Rohrrei", True),
        ("Unterhaching.", True),  # also what a caller who names the town says: the second pass decides
        ("Bad", False),  # three letters: too short to call a cut-off context word
        ("Badewanne", False),  # a caller's own word: not the start of any context word
        ("Mein Bad ist undicht", False),
        ("", False),
    ],
)
def test_a_cut_off_context_word_counts_as_the_context(text: str, echoed: bool) -> None:
    assert echoes_context(text, CONTEXT) is echoed

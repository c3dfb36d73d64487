"""The conversation suite: 35 scripted callers through the real policy and the real bundled LLM, each leaving its expected note."""

from __future__ import annotations

import pytest

from tests.conversations.callers import CALLERS, Caller
from tests.conversations.runner import Outcome, run_caller, table
from voicebridge.models.registry import Models

_outcomes: dict[str, Outcome] = {}


def test_the_suite_is_big_and_varied() -> None:
    assert len(CALLERS) >= 30
    assert {c.language for c in CALLERS} == {"de", "en"}
    kinds = {c.kind for c in CALLERS}
    assert {"simple", "one breath", "correction", "question first", "emergency", "silence", "hang-up", "message", "dtmf", "chaotic"} <= kinds


@pytest.mark.parametrize("caller", CALLERS, ids=[c.id for c in CALLERS])
def test_caller_leaves_the_expected_note(caller: Caller, models: Models) -> None:
    outcome = run_caller(caller, models.notes.hints)
    _outcomes[caller.id] = outcome
    wrong = {k: getattr(outcome.note, k, None) for k, ok in outcome.scores.items() if not ok}
    assert not wrong, f"{caller.id}: wrong fields {wrong}; replies: {outcome.replies}"
    assert outcome.replies[0].count("KI-Assistent" if caller.language == "de" else "AI assistant") == 1


def test_print_field_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    if len(_outcomes) < len(CALLERS):
        pytest.skip("run with the whole suite")
    with capsys.disabled():
        print("\nconversation field accuracy (real policy, bundled LLM):\n" + table(list(_outcomes.values())))

"""Escalation: whom a caller can be put through to now, and what an emergency caller hears (the on-call number after hours).

Pure functions of the profile, the clock and the call's urgency; the policy decides when to use them.
"""

from __future__ import annotations

from datetime import datetime

from voicebridge.config import BusinessProfile
from voicebridge.dialogue.parsers import parse_phone_number
from voicebridge.dialogue.phrases import PHRASES
from voicebridge.dialogue.profile import ProfileAnswers


def transfer_target(profile: BusinessProfile, answers: ProfileAnswers, now: datetime, urgency: str) -> str:
    """The office during opening hours, the on-call target for emergencies outside them, else nobody ("")."""
    if answers.is_open(now):
        return profile.office_target
    return profile.oncall_target if urgency == "emergency" else ""


def emergency_words(profile: BusinessProfile, answers: ProfileAnswers, now: datetime, language: str) -> str:
    """What the agent says when a call turns out to be an emergency; after hours with the on-call number read out."""
    words = PHRASES[language]["emergency"]
    if profile.oncall_number and not answers.is_open(now):
        phone = parse_phone_number(profile.oncall_number, "de")
        if phone is not None:
            words += " " + PHRASES[language]["emergency_oncall"].format(digits=phone.spoken_back(language))
    return words

"""Settling a read-back: what the caller's answer to "Ich wiederhole Ihre Nummer … Ist das richtig?" means for the number.

Yes confirms; no or a correction asks again (then the keypad); talking on without objecting confirms; an answer with nothing
in it gets one repeat, then the keypad, then the call goes on. No answer can bring the same read-back back a third time.
"""

from __future__ import annotations

from typing import Literal

from voicebridge.dialogue.parsers import is_goodbye, is_no, is_yes, parse_correction, parse_urgency
from voicebridge.dialogue.question_flow import MAX_READBACKS, Flow
from voicebridge.dialogue.slot_filling import SlotFiller, Slots, phone_in, same_number

Settled = Literal["go_on", "ask_again", "keypad", "read_back"]


def settle_readback(text: str, s: Slots, flow: Flow, filler: SlotFiller) -> Settled:
    """What to do after the caller's answer to a read-back (or to the keypad prompt); updates the slots and the flow.

    "go_on": handle the utterance as any other (a new number in it is filled and read back there)."""
    lang = filler.language
    phone = phone_in(text, lang)
    if phone is not None and (s.number is None or not same_number(phone.number, s.number.number)):
        return "go_on"  # a corrected number ("030 3789492" for "+49 30 3789492" is the same one, said again)
    # "No hurry at all", "nicht dringend": the "no" belongs to the urgency the caller went on to, not to the number.
    urgency = parse_urgency(text, lang, filler.emergency_keywords)
    plain = text.replace(urgency.reason, " ") if urgency.reason else text
    if is_yes(plain, lang) and not is_no(plain, lang):
        s.confirmed = True
        flow.asking = ""
        return "go_on"
    # "Das ist nicht eilig, also, nein, eigentlich diese Woche noch": a "nein" inside an answer for another field.
    if (is_no(plain, lang) or parse_correction(plain, lang)) and not filler.gives_field(text):
        s.number = None
        if flow.count("number") >= 2 or flow.readbacks >= MAX_READBACKS - 1:
            flow.mark("keypad")
            return "keypad"
        flow.mark("number")
        return "ask_again"
    if is_goodbye(text, lang) or filler.gives_something(text, s) or flow.asking == "keypad":
        s.confirmed = s.confirmed or flow.asking == "confirm_number"  # talked on (or said goodbye) without objecting
        flow.asking = ""
        return "go_on"
    if flow.readbacks_of_this_number < 2:
        return "read_back"
    if flow.count("keypad") < 1:
        flow.mark("keypad")
        return "keypad"
    flow.asking = ""
    return "go_on"

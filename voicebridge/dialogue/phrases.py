"""What the receptionist says, word for word, in German and English: questions, read-back, offers and goodbyes.

Only text; the conversation policy picks a phrase, and the fixed ones are synthesized at start-up.
"""

from __future__ import annotations

PHRASES = {
    "de": {
        "ask_concern": "Worum geht es bei Ihnen?",
        "ask_contact": "Vielen Dank, das habe ich notiert. Wie ist Ihr Name, und unter welcher Nummer können wir Sie zurückrufen?",
        "ask_name": "Wie ist bitte Ihr Name?",
        "ask_number": "Unter welcher Nummer können wir Sie zurückrufen? Sie können die Nummer auch über die Tastatur eingeben, mit Raute am Ende.",
        "ask_number_again": "Bitte nennen Sie mir die Nummer noch einmal, Ziffer für Ziffer.",
        "go_on": "Ja, bitte weiter.",
        "ask_keypad": "Bitte tippen Sie die Nummer über die Tastatur ein, mit Raute am Ende.",
        "ask_caller_id": "Können wir Sie unter der Nummer zurückrufen, von der Sie gerade anrufen?",
        "readback": "Ich wiederhole Ihre Nummer: {digits}. Ist das richtig?",
        "ask_address": "An welcher Adresse sollen wir vorbeikommen? Bitte mit Straße, Hausnummer und Ort.",
        "ask_urgency": "Wie dringend ist es: ein Notfall, möglichst bald, oder hat es Zeit?",
        "ask_window": "Wann passt es Ihnen am besten für einen Termin?",
        "ask_order": "Haben Sie eine Auftrags- oder Rechnungsnummer für mich?",
        "ask_message": "Gern, was soll ich ausrichten?",
        "offer_callback": "Soll ich das für einen Rückruf notieren?",
        "right_company": "Ja, Sie sind hier richtig bei {business}.",
        "anything_else": "Kann ich sonst noch etwas für Sie notieren?",
        "ask_more": "Was kann ich sonst für Sie tun?",
        "goodbye": "Danke, wir melden uns so bald wie möglich bei Ihnen. Auf Wiederhören!",
        "goodbye_emergency": "Danke, Ihre Meldung ist als Notfall weitergegeben, wir melden uns umgehend. Auf Wiederhören!",
        "goodbye_unclear": "Ich kann Sie leider nicht verstehen. Wir rufen Sie zurück, sobald es geht. Auf Wiederhören!",
        "not_understood": "Entschuldigung, das habe ich nicht verstanden. Können Sie das bitte wiederholen?",
        "emergency": "Das klingt nach einem Notfall. Ich gebe das sofort an unseren Notdienst weiter.",
        "emergency_oncall": "Unseren Notdienst erreichen Sie auch direkt unter {digits}.",
        "offer_transfer": "Soll ich Sie gleich mit einem Mitarbeiter verbinden?",
        "transferring": "Einen Moment bitte, ich verbinde Sie.",
        "nobody_there": "Im Moment ist leider niemand erreichbar. Ich nehme Ihr Anliegen auf, und wir rufen Sie zurück.",
        "no_answer": "Das kann ich Ihnen leider nicht sicher sagen, das klärt ein Kollege.",
        "noted": "Alles klar.",
    },
    "en": {
        "ask_concern": "What can we do for you?",
        "ask_contact": "Thank you, I have noted that. What is your name, and which number can we call you back on?",
        "ask_name": "May I have your name, please?",
        "ask_number": "Which number can we call you back on? You can also type it on your keypad, followed by the hash key.",
        "ask_number_again": "Please tell me the number once more, digit by digit.",
        "go_on": "Yes, go on.",
        "ask_keypad": "Please type the number on your keypad, followed by the hash key.",
        "ask_caller_id": "Can we call you back on the number you are calling from?",
        "readback": "Let me read your number back: {digits}. Is that correct?",
        "ask_address": "What is the address where we should come? Street, house number and town, please.",
        "ask_urgency": "How urgent is it: an emergency, soon, or is there no rush?",
        "ask_window": "When would suit you best for an appointment?",
        "ask_order": "Do you have an order or invoice number for me?",
        "ask_message": "Of course, what is the message?",
        "offer_callback": "Shall I note that down for a call-back?",
        "right_company": "Yes, you are through to the right place: {business}.",
        "anything_else": "Is there anything else I can note for you?",
        "ask_more": "What else can I do for you?",
        "goodbye": "Thank you, we will get back to you as soon as possible. Goodbye!",
        "goodbye_emergency": "Thank you, your report has been passed on as an emergency, we will be in touch right away. Goodbye!",
        "goodbye_unclear": "I am sorry, I cannot understand you. We will call you back as soon as we can. Goodbye!",
        "not_understood": "Sorry, I did not catch that. Could you say it again, please?",
        "emergency": "That sounds like an emergency. I am passing it on to our emergency service right away.",
        "emergency_oncall": "You can also reach our emergency service directly on {digits}.",
        "offer_transfer": "Shall I put you through to a member of staff now?",
        "transferring": "One moment please, I am putting you through.",
        "nobody_there": "I am afraid nobody is available right now. I will take your message and we will call you back.",
        "no_answer": "I cannot tell you that for sure, a colleague will clarify it.",
        "noted": "All right.",
    },
}

# Replies that are often a whole turn on their own; the cache matches whole replies, so phrases only ever said after
# another sentence would cost start-up time for nothing.
_SAID_ALONE = ("ask_concern", "ask_contact", "ask_name", "ask_number", "ask_address", "ask_urgency", "ask_window", "anything_else",
               "goodbye", "not_understood", "transferring", "ask_number_again", "ask_order", "ask_keypad", "go_on")


def fixed_phrases(language: str) -> list[str]:
    """Replies said word for word as a whole turn (no caller data in them), for synthesis at start-up."""
    return [PHRASES[language][key] for key in _SAID_ALONE]

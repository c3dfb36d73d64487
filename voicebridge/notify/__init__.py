"""After the call: the call note stored, rendered through the business's template, and delivered by e-mail and webhook.

`Notifier` (notifier.py) is the daemon's entry point; the modules beside it each do one step.
"""

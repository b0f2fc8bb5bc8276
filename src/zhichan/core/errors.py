"""Errors raised by service functions; pages and API turn them into messages."""

from django.core.exceptions import ValidationError  # noqa: F401 - re-exported for services


class TransitionError(Exception):
    """An illegal state change, whoever asks for it."""

    def __init__(self, message, *, from_state="", to_state=""):
        super().__init__(message)
        self.message = message
        self.from_state = from_state
        self.to_state = to_state

"""SMS gateways and a mail backend that fail, for the tests of retries."""

from django.core.mail.backends.base import BaseEmailBackend

from zhichan.notices.sms import SmsError, SmsGateway

SENT: list[tuple[str, str]] = []
FAILURES = {"left": 0}


class BrokenGateway(SmsGateway):
    def send(self, phone, text):
        raise SmsError("gateway answered 503")


class FlakyGateway(SmsGateway):
    """Fails while FAILURES["left"] > 0, then sends (into SENT)."""

    def send(self, phone, text):
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise SmsError("timeout")
        SENT.append((phone, text))


class BrokenMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")

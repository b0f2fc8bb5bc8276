"""Every notification a case sends goes through `send`, after the transaction commits.

The notices app delivers (inbox rows, e-mail, SMS in the worker); when it is not
installed, nothing is sent.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def send(recipients, kind, subject, body, link="", case=None):
    try:
        from zhichan.notices.services import notify
    except ImportError:
        log.debug("notices app not installed; %s not sent to %d recipients", kind, len(recipients))
        return
    notify(recipients, kind, subject, body, link=link, case=case)


def send_on_commit(recipients, kind, subject, body, link="", case=None):
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    # Looked up at call time so tests can replace `send`.
    transaction.on_commit(lambda: _module_send(recipients, kind, str(subject), str(body), link, case))


def _module_send(*args):
    import zhichan.cases.notify as me

    me.send(*args)

"""Every notification a case sends goes through `send`.

The notices app delivers (inbox rows, e-mail, SMS in the worker); when it is not
installed, nothing is sent. `notify_in_transaction` writes the notice rows in the case's own
transaction, so they commit or roll back with the step; the worker sends after the commit.
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


def notify_in_transaction(recipients, kind, subject, body, link="", case=None):
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_in_transaction is called inside the step's transaction")
    _module_send(recipients, kind, str(subject), str(body), link, case)


def _module_send(*args):
    import zhichan.cases.notify as me

    me.send(*args)

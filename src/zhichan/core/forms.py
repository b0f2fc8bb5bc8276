"""How pages run a service action from a form: refusals land on the form's fields, forbidden is 404."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError at the form's fields (at the top for fields the form lacks)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def run_action(form: forms.Form, action: Callable, *, transition_field: str | None = None):
    """Call `action()`; returns (True, its result), or (False, None) with the refusal on the form.

    A TransitionError goes to `transition_field` when given (else it propagates); a
    PermissionDenied answers 404, like a record the user cannot see.
    """
    try:
        return True, action()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except TransitionError as exc:
        if transition_field is None:
            raise
        form.add_error(transition_field, exc.message)
    except PermissionDenied as exc:
        raise Http404 from exc
    return False, None


def act_and_report(request, action: Callable, success: str) -> bool:
    """Run a page's POST action: the success or each refusal as a message; forbidden is 404."""
    from django.contrib import messages

    try:
        action()
    except (ValidationError, TransitionError) as exc:
        for message in exc.messages if isinstance(exc, ValidationError) else [exc.message]:
            messages.error(request, message)
        return False
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, success)
    return True

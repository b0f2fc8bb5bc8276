"""Refuse NUL characters in query parameters before any view sees them.

No field of this software may hold one, and PostgreSQL cannot even compare text with one, so a
query like ?city=%00 would otherwise reach the database and fail there.
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return self.refuse(request, name.replace("\x00", ""))
        return self.get_response(request)

    @staticmethod
    def refuse(request, field):
        message = _("contains a NUL character")
        if request.path.startswith("/api/"):
            # The API's refusal shape, which every operation declares for 422.
            return JsonResponse({"detail": [{"field": field, "errors": [message]}]}, status=422)
        return HttpResponseBadRequest(f"{field}: {message}")

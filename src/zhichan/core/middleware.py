"""Drop NUL characters from query parameters before any view sees them.

No field of this software may hold one, and PostgreSQL cannot even compare text with one, so a
query like ?city=%00 would otherwise reach the database and fail there. Searches and filters
treat the rest of the value as typed.
"""

from django.http import QueryDict


class StripNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "").lower() or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header (settings.ZHICHAN_PERMISSIONS_POLICY), which Django has not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        policy = getattr(settings, "ZHICHAN_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response

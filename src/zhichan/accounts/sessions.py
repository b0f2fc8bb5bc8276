"""Staff sessions end after a while idle and after a fixed lifetime.

Staff accounts (agency staff and administrators, county and city administrators) see complaints,
reporters' identities and enterprises' plans, so a forgotten browser must not stay signed in:
after ZHICHAN_STAFF_SESSION_IDLE_MINUTES without a request, or ZHICHAN_STAFF_SESSION_HOURS after
signing in, the next request logs the user out and sends them to the login page with a message.
Public and enterprise users keep Django's normal session age.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import gettext as _

SESSION_KEY = "zhichan_staff_session"
# The last-seen time is written at most this often, not on every request (each write saves the session).
TOUCH_SECONDS = 60


def _now() -> float:
    return time.time()


def expired(session_info: dict, now: float) -> bool:
    idle = settings.ZHICHAN_STAFF_SESSION_IDLE_MINUTES * 60
    lifetime = settings.ZHICHAN_STAFF_SESSION_HOURS * 3600
    return now - session_info["seen"] > idle or now - session_info["started"] > lifetime


class StaffSessionMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff_member:
            now = _now()
            info = request.session.get(SESSION_KEY)
            if not isinstance(info, dict) or info.get("user") != user.pk:
                request.session[SESSION_KEY] = {"user": user.pk, "started": now, "seen": now}
            elif expired(info, now):
                return self._expire(request)
            elif now - info["seen"] >= TOUCH_SECONDS:
                request.session[SESSION_KEY] = {**info, "seen": now}
        return self.get_response(request)

    def _expire(self, request):
        path = request.get_full_path()
        logout(request)  # a new, empty session; the message below lives in it
        if request.path.startswith("/api/"):
            return self.get_response(request)  # answered as for anyone signed out
        messages.info(request, _("Your session has expired. Please log in again."))
        if request.headers.get("HX-Request"):
            # htmx swaps fragments: a redirect would put the login page inside one; send the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(request.headers.get("HX-Current-URL") or path).url
            return response
        return redirect_to_login(path)

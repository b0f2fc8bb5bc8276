"""An optional second factor for staff: a time-based code (TOTP) from an authenticator app.

Built on django-otp. A staff member enrols on /accounts/two-factor/ (the secret and a QR code,
drawn here as SVG; a code confirms it). Once enrolled, the password alone signs them in halfway:
SecondFactorMiddleware sends every request to the code page until a code is given (the API
treats them as signed out). With ZHICHAN_STAFF_REQUIRE_2FA on, staff without a device are sent
to enrol instead. Wrong codes slow down (django-otp's throttling doubles the wait after each).
A city administrator can remove another account's device when a phone is lost; the removal is
written to the change history.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhichan.accounts.models import Role
from zhichan.core.audit import record_change

# What a signed-in staff member who still owes a code may open.
_OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _needs_code(user) -> bool:
    return bool(user.is_authenticated and user.is_staff_member and not user.is_verified())


class SecondFactorMiddleware:
    """After OTPMiddleware (which tells whether this session gave a code) and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and _needs_code(user) and not request.path.startswith(_OPEN_PREFIXES):
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            if has_device or settings.ZHICHAN_STAFF_REQUIRE_2FA:
                if request.path.startswith("/api/"):
                    request.user = AnonymousUser()  # halfway signed in is not signed in
                    return self.get_response(request)
                target = "accounts:two_factor_verify" if has_device else "accounts:two_factor"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _next_url(request, default="portal:home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse(default)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits the app shows."))
        return code


def _check(device, form) -> bool:
    """Verify the form's code against the device; adds the reason to the form when it fails."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        form.add_error("code", _("Too many wrong codes. Wait a moment and try again."))
        return False
    if device.verify_token(form.cleaned_data["code"]):
        return True
    form.add_error("code", _("The code is not right, or has expired. Enter the current one."))
    return False


def _staff_only(request):
    if not request.user.is_staff_member:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Show the secret of a new (unconfirmed) device and confirm it with a first code."""
    _staff_only(request)
    device = confirmed_device(request.user)
    if device is not None and request.user.is_verified():
        return render(request, "accounts/two_factor_status.html", {"device": device})
    if device is not None:
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': request.path})}")
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=request.user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(pending, form):
        with transaction.atomic():
            TOTPDevice.objects.filter(user=request.user).exclude(pk=pending.pk).delete()
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
        otp_login(request, pending)
        messages.success(request, _("Two-step login is on. From now on you will be asked for a code."))
        return redirect(_next_url(request, "accounts:profile"))
    secret = b32encode(pending.bin_key).decode().rstrip("=")
    qr = segno.make(pending.config_url, error="m")
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": qr.svg_data_uri(scale=4, border=2),
            "required": settings.ZHICHAN_STAFF_REQUIRE_2FA,
            "next": request.GET.get("next", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of logging in: a code from the enrolled app."""
    _staff_only(request)
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(device, form):
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


class ResetForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not TOTPDevice.objects.filter(user=user).exists():
            raise forms.ValidationError(_("No account with this username has two-step login set up."))
        return user


@login_required
@require_http_methods(["GET", "POST"])
def reset(request):
    """A city administrator removes another account's device (lost phone); they enrol again."""
    if request.user.role != Role.CITY_ADMIN and not request.user.is_superuser:
        raise Http404
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["username"]
        with transaction.atomic():
            for device in TOTPDevice.objects.select_for_update().filter(user=target):
                record_change(
                    request.user,
                    device,
                    "delete",
                    region=target.region or (target.agency.region if target.agency_id else None),
                    fields=("user", "name", "confirmed"),
                )
                device.delete()
        messages.success(
            request,
            _("Two-step login of %(user)s was reset; they set it up again at their next login.")
            % {"user": target.username},
        )
        return redirect("accounts:two_factor_reset")
    return render(request, "accounts/two_factor_reset.html", {"form": form})

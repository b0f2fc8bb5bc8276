"""Forgotten passwords: a reset link by e-mail, for anyone whose account has that address.

Also how a provider contact whose first set-password link expired gets a new one: unlike
Django's default, accounts without a usable password yet are included. The answer page is
the same whether or not an account matched, and requests are limited per address and client
(ZHICHAN_PASSWORD_RESET_LIMIT an hour), so the form reveals nothing and floods nobody.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from zhichan.accounts.models import User
from zhichan.core import counters
from zhichan.portal.context import site

HOUR = 3600


class ResetForm(PasswordResetForm):
    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")


def _limited(request, email: str) -> bool:
    keys = [f"accounts:reset:ip:{request.META.get('REMOTE_ADDR', '')}", f"accounts:reset:to:{email.lower()}"]
    over = any(counters.count(key, window=HOUR) >= settings.ZHICHAN_PASSWORD_RESET_LIMIT for key in keys)
    for key in keys:
        counters.hit(key, window=HOUR)
    return over


class ResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if _limited(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"site_name": site(self.request)["site_brand"]}
        return super().form_valid(form)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set; you can log in now."))
        return super().form_valid(form)

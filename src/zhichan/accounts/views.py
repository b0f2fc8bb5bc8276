from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhichan.accounts.forms import SignupForm
from zhichan.accounts.models import User
from zhichan.accounts.services import do_sign_up


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        # Also makes a resubmitted sign-up form harmless: the first one logged the person in.
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = do_sign_up(
                request.user,
                username=data["username"],
                password=data["password1"],
                role=data["role"],
                display_name=data["display_name"],
                email=data["email"],
                phone=data.get("phone", ""),
                organisation=data.get("organisation", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portal:home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    # Labels are the model's own field names, so they read the same as in the admin.
    fields = {
        f: User._meta.get_field(f).verbose_name
        for f in ("display_name", "role", "agency", "region", "organisation", "email", "phone")
    }
    return render(request, "accounts/profile.html", {"account": request.user, "fields": fields})

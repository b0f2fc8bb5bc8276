from django.contrib.auth import views as auth_views
from django.urls import path

from zhichan.accounts import passwords, twofactor, views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("password-reset/", passwords.ResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", passwords.ResetDoneView.as_view(), name="password_reset_done"),
    path("two-factor/", twofactor.enrol, name="two_factor"),
    path("two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    path("two-factor/reset/", twofactor.reset, name="two_factor_reset"),
    path("reset/<uidb64>/<token>/", passwords.ResetConfirmView.as_view(), name="password_reset_confirm"),
]

from django.urls import path

from zhichan.cases import rule_views, views

app_name = "cases"
urlpatterns = [
    path("track/", views.lookup, name="lookup"),
    path("track/<str:token>/", views.track, name="track"),
    path("requests/new/", views.intake, name="intake"),
    path("cases/", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.detail, name="detail"),
    path("cases/identity-log/", views.identity_log, name="identity_log"),
    path("cases/rules/", rule_views.rules, name="rules"),
    path("cases/rules/new/", rule_views.rule_create, name="rule_create"),
    path("cases/rules/<int:pk>/edit/", rule_views.rule_edit, name="rule_edit"),
    path("cases/rules/<int:pk>/delete/", rule_views.rule_delete, name="rule_delete"),
]

from django.urls import path

from zhichan.cases import views

app_name = "cases"
urlpatterns = [
    path("track/", views.lookup, name="lookup"),
    path("track/<str:token>/", views.track, name="track"),
    path("requests/new/", views.intake, name="intake"),
    path("cases/", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.detail, name="detail"),
]

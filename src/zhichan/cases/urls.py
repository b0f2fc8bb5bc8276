from django.urls import path

from zhichan.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("<str:token>/", views.track, name="track"),
]

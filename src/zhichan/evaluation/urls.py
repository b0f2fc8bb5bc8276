from django.urls import path  # noqa: F401 - the parts add their pages below

app_name = "evaluation"
urlpatterns: list = []

from django.urls import path

from zhichan.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.screening, name="screening"),
    path("export.xlsx", views.export, name="export"),
]

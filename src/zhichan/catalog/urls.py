from django.urls import path
from django.views.generic import TemplateView

app_name = "catalog"
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="index"),
    path("manage/", TemplateView.as_view(template_name="base.html"), name="manage"),
    path("<str:code>/", TemplateView.as_view(template_name="base.html"), name="guide"),
]

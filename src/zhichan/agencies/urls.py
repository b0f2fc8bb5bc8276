from django.urls import path
from django.views.generic import TemplateView

app_name = "agencies"
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="finder"),
    path("coverage/", TemplateView.as_view(template_name="base.html"), name="coverage"),
    path("manage/", TemplateView.as_view(template_name="base.html"), name="manage"),
]

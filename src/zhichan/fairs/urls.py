from django.urls import path

from zhichan.fairs import views

app_name = "fairs"
urlpatterns = [
    path("", views.fair_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]

from django.urls import path

from zhichan.watch import views

app_name = "watch"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("items/<int:pk>/remove/", views.remove_item, name="remove_item"),
]

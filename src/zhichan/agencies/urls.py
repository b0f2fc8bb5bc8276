from django.urls import path

from zhichan.agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("coverage/", views.coverage, name="coverage"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/upgrade/", views.upgrade, name="upgrade"),
    path("<int:pk>/history/", views.history, name="history"),
]

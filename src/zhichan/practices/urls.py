from django.urls import path

from zhichan.practices import views

app_name = "practices"
urlpatterns = [
    path("", views.practice_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_practice, name="return"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("files/<int:pk>/", views.download, name="file"),
    path("files/<int:pk>/remove/", views.remove_file, name="remove_file"),
]

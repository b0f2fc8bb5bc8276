from django.urls import path

from zhichan.catalog import views

app_name = "catalog"
# manage/ paths come before <str:code>/ so that "manage" is never read as a code.
urlpatterns = [
    path("", views.index, name="index"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/publish/", views.publish, name="publish"),
    path("<str:code>/print/", views.print_view, name="print"),
    path("<str:code>/v/<int:number>/", views.version, name="version"),
]

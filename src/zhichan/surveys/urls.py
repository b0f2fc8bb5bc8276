from django.urls import path

from zhichan.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.answer, name="answer"),
    path("<int:pk>/setup/", views.setup, name="setup"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/questions/", views.add_question, name="add_question"),
    path("<int:pk>/questions/<int:qpk>/remove/", views.remove_question, name="remove_question"),
    path("<int:pk>/questions/<int:qpk>/move/", views.move_question, name="move_question"),
    path("<int:pk>/open/", views.open_survey, name="open"),
    path("<int:pk>/close/", views.close_survey, name="close"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/export/", views.results_export, name="results_export"),
]

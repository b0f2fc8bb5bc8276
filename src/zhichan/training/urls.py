from django.urls import path

from zhichan.training import views

app_name = "training"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.create, name="create"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/code/", views.code_sheet, name="code_sheet"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("registrations/<int:pk>/cancel/", views.cancel_registration, name="cancel_registration"),
    path("registrations/<int:pk>/check-in/", views.staff_check_in, name="staff_check_in"),
    path("registrations/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("registrations/<int:pk>/certificate/", views.certificate, name="certificate"),
]

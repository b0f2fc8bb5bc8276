from django.urls import path

from zhichan.diagnosis import views

app_name = "diagnosis"
urlpatterns = [
    path("", views.index, name="index"),
    path("take/", views.take, name="take"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.printable, name="print"),
    path("<int:pk>/report.docx", views.docx, name="docx"),
    path("<int:pk>/help/", views.ask_help, name="help"),
]

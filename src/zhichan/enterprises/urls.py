from django.urls import path

from zhichan.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
]

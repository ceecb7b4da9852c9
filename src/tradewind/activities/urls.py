from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("bell/", views.notification_bell, name="notification_bell"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
]

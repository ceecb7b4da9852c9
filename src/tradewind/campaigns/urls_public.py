from django.urls import path

from . import views_public

app_name = "campaign_public"

urlpatterns = [
    path("u/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
    path("c/<str:token>/", views_public.click, name="click"),
    path("o/<str:token>/", views_public.opened, name="open"),
]

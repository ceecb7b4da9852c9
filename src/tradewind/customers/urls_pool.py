from django.urls import path

from . import views_pool

urlpatterns: list = [
    path("pool/", views_pool.pool_list, name="pool"),
    path("pool/recycling/", views_pool.recycling_preview, name="pool_recycling"),
    path("pool/settings/", views_pool.pool_settings, name="pool_settings"),
    path("pools/", views_pool.auto_pools, name="pools"),
    path("<int:pk>/claim/", views_pool.customer_claim, name="claim"),
    path("<int:pk>/release/", views_pool.customer_release, name="release"),
    path("<int:pk>/pool-panel/", views_pool.pool_panel, name="pool_panel"),
    path("<int:pk>/stage/", views_pool.customer_stage, name="stage"),
    path("<int:pk>/targeted/", views_pool.customer_targeted, name="targeted"),
]

from django.urls import path

from doudi.portal import views_menu

# Included by doudi.portal.urls, whose app_name is "portal".
urlpatterns: list[object] = [
    path("menu/", views_menu.menu, name="menu"),
    path("menu/apply/", views_menu.apply, name="menu_apply"),
    path("menu/applied/<str:scheme>/", views_menu.applied, name="menu_applied"),
    path("screener/", views_menu.screener, name="screener"),
]

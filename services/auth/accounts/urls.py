from django.urls import path

from fleet_common.routes import ANY_CASE_UUID

from . import views

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
    path(f"users/<{ANY_CASE_UUID}:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/password/", views.PasswordChangeView.as_view(), name="me-password"),
]

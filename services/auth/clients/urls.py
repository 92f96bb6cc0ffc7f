from django.urls import path

from . import views

urlpatterns = [
    path("oauth/token/", views.OAuthTokenView.as_view(), name="oauth-token"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from voronka.accounts import views, views_tokens

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="language"),
    path("api-tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("api-tokens/revoke/", views_tokens.api_token_revoke_view, name="api_token_revoke"),
]

"""The API tokens page: a token is shown once, stored hashed, revoked by its owner only."""

import pytest
from django.test import Client

from voronka.accounts.models import ApiToken
from voronka.accounts.services import api_token_create, hash_token

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_stores_a_hash(client_for, rep):
    client = client_for(rep)
    page = client.post("/accounts/api-tokens/", {"name": "Zapier"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("vrk_") and secret.encode() in page.content
    token = ApiToken.objects.get(user=rep)
    assert token.name == "Zapier"
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    again = client.get("/accounts/api-tokens/")
    assert secret.encode() not in again.content
    assert b"Zapier" in again.content
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/users/me").json()["username"] == rep.username


def test_empty_name_is_refused(client_for, rep):
    response = client_for(rep).post("/accounts/api-tokens/", {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_own_token(client_for, rep):
    token, raw = api_token_create(user=rep, name="old")
    response = client_for(rep).post("/accounts/api-tokens/revoke/", {"token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/deals/").status_code == 401


def test_another_users_token_is_404_and_stays_active(client_for, rep, other_rep, admin_user):
    token, raw = api_token_create(user=rep, name="mine")
    for user in (other_rep, admin_user):
        client = client_for(user)
        response = client.post("/accounts/api-tokens/revoke/", {"token": token.pk})
        assert response.status_code == 404
        assert b"mine" not in client.get("/accounts/api-tokens/").content
    token.refresh_from_db()
    assert token.revoked_at is None
    for bad in ("", "x", "9" * 40):
        assert (
            client_for(rep).post("/accounts/api-tokens/revoke/", {"token": bad}).status_code == 404
        )


def test_user_menu_links_the_page(client_for, rep):
    assert b"/accounts/api-tokens/" in client_for(rep).get("/deals/").content


def test_docs_need_login_and_use_our_static_files(client, client_for, rep):
    response = client.get("/api/docs")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/openapi.json").status_code == 302
    signed_in = client_for(rep)
    docs = signed_in.get("/api/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn" not in docs.content.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    schema = signed_in.get("/api/openapi.json").json()
    assert "/api/deals/" in schema["paths"]
    _t, raw = api_token_create(user=rep, name="docs")
    assert client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

import pytest
from django.test import Client

from voronka.accounts.services import api_token_create


@pytest.fixture
def token_client():
    """``token_client(user)``: a client that sends the user's new API token (no session)."""

    def make(user):
        _token, raw = api_token_create(user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make

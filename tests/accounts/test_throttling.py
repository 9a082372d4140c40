"""Guessing passwords is slowed down: django-axes locks the account and the address after
AXES_FAILURE_LIMIT failures, administrators see and lift the lock, tokens count the same;
a password containing the username is refused."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def _fail(client: Client, username: str, times: int, **extra):
    for _attempt in range(times):
        response = client.post(
            "/accounts/login/", {"username": username, "password": "wrong"}, **extra
        )
    return response


def _sign_in(client: Client, username: str, **extra):
    return client.post(
        "/accounts/login/", {"username": username, "password": "agora-demo"}, **extra
    )


def test_the_right_password_is_refused_once_the_account_is_locked(people, settings):
    client = Client()
    response = _fail(client, "sales1", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    response = _fail(client, "sales1", 1)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    response = _sign_in(client, "sales1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_another_address_too(people, settings):
    _fail(Client(), "sales1", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
    other = Client()
    assert _sign_in(other, "Sales1", REMOTE_ADDR="10.0.0.2").status_code == 429
    assert "_auth_user_id" not in other.session
    # another account from that other address is not affected
    assert _sign_in(other, "sales2", REMOTE_ADDR="10.0.0.2").status_code == 302


def test_the_address_is_locked_whatever_account_it_tries(people, settings):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": f"nobody{number}", "password": "x"})
    assert _sign_in(client, "sales2", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert _sign_in(Client(), "sales2", REMOTE_ADDR="10.0.0.10").status_code == 302


def test_administrators_see_and_lift_the_lock(people, settings, client_for):
    _fail(Client(), "sales1", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
    admin = client_for(people["admin"])
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "sales1" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert _sign_in(Client(), "sales1", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_people_who_are_not_administrators_do_not_see_locks(people, settings, client_for):
    _fail(Client(), "sales1", settings.AXES_FAILURE_LIMIT)
    response = client_for(people["manager"]).get("/admin/axes/accessattempt/")
    assert response.status_code in {302, 403}
    assert AccessAttempt.objects.exists()


def test_a_success_before_the_limit_resets_the_count(people, settings):
    client = Client()
    _fail(client, "sales1", settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(client, "sales1").status_code == 302
    client.logout()
    assert _fail(client, "sales1", settings.AXES_FAILURE_LIMIT - 1).status_code == 200


def test_wrong_tokens_lock_the_address_for_tokens(people, settings, api_client):
    good = Token.objects.create(user=people["sales1"])
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token wrong{number}")
        assert api_client.get("/api/v1/people/me/").status_code in {401, 403}
    api_client.credentials(HTTP_AUTHORIZATION="Token wrong-last")
    locked = api_client.get("/api/v1/people/me/")
    assert locked.status_code == 429 and "detail" in locked.json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {good.key}")
    response = api_client.get("/api/v1/people/me/")
    assert response.status_code == 429
    assert "username" not in response.json()
    assert AccessAttempt.objects.filter(failures_since_start__gte=1).exists()


def test_a_good_token_still_works(people, api_client):
    token = Token.objects.create(user=people["sales1"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/people/me/")
    assert response.status_code == 200 and response.json()["username"] == "sales1"


@pytest.mark.parametrize("password", ["sales2sales2", "SALES2-rocks-42", "my-sales2-pass"])
def test_a_password_containing_the_username_is_refused(people, password):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user=people["sales2"])
    assert "password_has_username" in {error.code for error in caught.value.error_list}


def test_a_good_password_passes(people):
    validate_password("correct horse battery staple", user=people["sales2"])


def test_the_password_change_page_refuses_it_and_keeps_the_old_one(people, client_for):
    client = client_for(people["sales2"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "agora-demo",
            "new_password1": "sales2sales2",
            "new_password2": "sales2sales2",
        },
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    people["sales2"].refresh_from_db()
    assert people["sales2"].check_password("agora-demo")

"""Sign-in, the shell, the profile page and the language switcher."""

import pytest
from django.urls import reverse


def test_login_page_is_served_to_anonymous_visitors(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_the_dashboard_needs_a_signed_in_person(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_in_shows_the_shell(client, people):
    response = client.post(
        "/accounts/login/", {"username": "sales1", "password": "agora-demo"}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, Sales1" in html
    assert 'id="notification-bell"' in html
    assert 'id="language-switcher"' in html


def test_wrong_password_is_refused_with_a_message(client, people):
    response = client.post("/accounts/login/", {"username": "sales1", "password": "nope"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_switching_to_chinese_translates_the_shell_and_is_remembered(client_for, people):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"}, follow=True
    )
    assert "工作台" in response.content.decode()
    people["sales1"].refresh_from_db()
    assert people["sales1"].language == "zh-hans"


def test_profile_edit_saves_and_validates(client_for, people):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "张伟", "email": "not-an-email", "title": "", "phone": "", "language": ""},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    people["sales1"].refresh_from_db()
    assert people["sales1"].display_name == "Sales1"
    client.post(
        reverse("accounts:profile"),
        {
            "display_name": "张伟",
            "email": "zw@agora.test",
            "title": "AM",
            "phone": "",
            "language": "",
        },
    )
    people["sales1"].refresh_from_db()
    assert people["sales1"].display_name == "张伟"


@pytest.mark.parametrize("url", ["/admin/", "/cms/"])
def test_admin_screens_are_refused_to_reps(client_for, people, url):
    response = client_for(people["sales1"]).get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]

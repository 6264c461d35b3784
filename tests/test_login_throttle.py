"""Login throttling on the dashboard's and the admin's login pages: five wrong passwords for a
user name, or twenty from one address, within 15 minutes, and the page says so clearly (even
to the right password) until the window ends; a good login starts its user name afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hub.logins.models import LoginThrottle
from hub.logins.throttle import ADDRESS_LIMIT, USER_LIMIT, WINDOW
from tests.dashboard_helpers import admin, orders_clerk

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(client: Client, url: str, username: str, password: str, address: str = "10.0.0.7") -> str:
    reply = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)
    return reply.content.decode() if reply.status_code == 200 else f"redirect {reply.status_code}"


def wrong_password(page: str) -> bool:
    """The dashboard's "user name and password do not match" (in whichever language), not a refusal."""
    return '<p class="error">' in page and 'role="alert"' not in page


def test_the_dashboard_refuses_a_user_name_after_five_wrong_passwords_even_the_right_one() -> None:
    orders_clerk()  # "li", password "pw-li"
    client = Client()
    assert reverse("dashboard:login") == LOGIN
    for _ in range(USER_LIMIT):
        assert wrong_password(attempt(client, LOGIN, "li", "guess"))
    page = attempt(client, LOGIN, "li", "pw-li")
    assert "该用户名登录失败次数过多，请 15 分钟后再试。" in page  # the dashboard speaks Chinese by default
    assert not wrong_password(page)
    # from elsewhere too: the limit is the user name's
    assert "失败次数过多" in attempt(Client(), LOGIN, "li", "pw-li", address="10.0.0.8")


def test_the_window_ending_lets_the_user_in_again() -> None:
    orders_clerk()
    client = Client()
    for _ in range(USER_LIMIT + 2):
        attempt(client, LOGIN, "li", "guess")
    LoginThrottle.objects.update(window_started_at=LoginThrottle.objects.get(key="user:li").window_started_at - WINDOW - timedelta(seconds=1))
    assert attempt(client, LOGIN, "li", "pw-li") == "redirect 302"


def test_a_good_login_starts_the_user_name_afresh() -> None:
    orders_clerk()
    for _ in range(USER_LIMIT - 1):
        attempt(Client(), LOGIN, "li", "guess")
    assert attempt(Client(), LOGIN, "li", "pw-li") == "redirect 302"
    for _ in range(USER_LIMIT - 1):
        assert wrong_password(attempt(Client(), LOGIN, "li", "guess"))


def test_the_admin_login_is_throttled_the_same_way() -> None:
    admin()
    client = Client()
    for _ in range(USER_LIMIT):
        assert "Please enter the correct username and password" in attempt(client, ADMIN_LOGIN, "boss", "guess")
    page = attempt(client, ADMIN_LOGIN, "boss", "guess")
    assert "Too many failed logins for this user name. Try again in 15 minutes." in page


def test_one_address_trying_many_user_names_is_refused_and_other_addresses_are_not() -> None:
    orders_clerk()
    for n in range(ADDRESS_LIMIT):
        attempt(Client(), LOGIN, f"nobody-{n}", "guess", address="192.0.2.9")
    page = attempt(Client(), LOGIN, "li", "pw-li", address="192.0.2.9")
    assert "您的地址登录失败次数过多" in page
    assert attempt(Client(), LOGIN, "li", "pw-li", address="192.0.2.10") == "redirect 302"


def test_english_logins_read_the_refusal_in_english() -> None:
    orders_clerk()
    client = Client()
    client.post(reverse("dashboard:language"), {"language": "en", "next": LOGIN})
    for _ in range(USER_LIMIT):
        attempt(client, LOGIN, "li", "guess")
    assert "Too many failed logins for this user name. Try again in 15 minutes." in attempt(client, LOGIN, "li", "pw-li")

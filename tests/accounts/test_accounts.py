"""Accounts: sign-up, login/logout, profile, likes (guest and user), and likes following a login."""

import pytest

from shop import events
from shop.accounts.models import Like, Profile
from tests.factories import LikeFactory, UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def liked_events():
    calls = []
    events.product_liked.connect(lambda **kw: calls.append(kw), dispatch_uid="test-liked", weak=False)
    yield calls
    events.product_liked.disconnect(dispatch_uid="test-liked")


def test_signing_up_logs_the_shopper_in_and_goes_where_they_were_heading(client):
    response = client.post("/accounts/signup/?next=/checkout/", {
        "username": "ada", "email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD,
        "next": "/checkout/",
    })
    assert response.status_code == 302 and response.url == "/checkout/"
    assert client.get("/").context["user"].username == "ada"


def test_sign_up_problems_are_shown_on_the_form(client):
    UserFactory(username="ada")
    response = client.post("/accounts/signup/", {"username": "ada", "email": "x", "password1": "a", "password2": "b"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"username", "email", "password2"}


def test_the_password_rules_read_as_help_linked_to_the_field_and_only_problems_as_errors(client):
    import re

    page = client.get("/accounts/signup/").content.decode()
    help_block = re.search(r'<div class="help" id="id_password1_helptext">(.*?)</div>', page, re.S)
    assert help_block and "at least 8 characters" in help_block.group(1)  # a list, inside the help block
    assert 'aria-describedby="id_password1_helptext"' in page
    assert "field-error" not in page
    page = client.post("/accounts/signup/", {"username": "bob", "email": "bob@example.com", "password1": "12345678",
                                             "password2": "12345678"}).content.decode()
    assert re.search(r'<p class="field-error" role="alert">This password is entirely numeric.</p>', page)


def test_login_and_logout(client):
    UserFactory(username="ada")
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 302
    assert client.get("/").context["user"].is_authenticated
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_a_wrong_password_says_so(client):
    UserFactory(username="ada")
    response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})
    assert response.status_code == 200 and "correct username and password" in response.content.decode()


def test_the_profile_is_made_on_first_visit_and_keeps_department_and_sizes(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200
    response = client.post("/accounts/profile/", {
        "department": "women", "size_tops": "M", "size_bottoms": "30", "size_shoes": "",
    }, follow=True)
    assert "Your profile has been saved." in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert profile.department == "women" and profile.sizes == {"tops": "M", "bottoms": "30"}
    assert client.get("/accounts/profile/").context["form"].initial["size_tops"] == "M"


def test_an_unknown_size_is_refused_on_the_profile(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/profile/", {"department": "martians", "size_tops": "XXXXXL"})
    assert set(response.context["form"].errors) == {"department", "size_tops"}


def test_the_profile_needs_an_account(client):
    assert client.get("/accounts/profile/").status_code == 302


def test_a_guest_likes_and_unlikes_and_each_change_is_an_event(client, liked_events):
    product = product_with_sizes(name="Shirt")
    response = client.post(f"/likes/{product.pk}/", {"liked": "1", "next": product.get_absolute_url()}, follow=True)
    assert "♥ Liked" in response.content.decode()
    client.post(f"/likes/{product.pk}/", {"liked": "1"})  # a second click changes nothing
    assert [p.name for p in client.get("/likes/").context["page_obj"].object_list] == ["Shirt"]
    client.post(f"/likes/{product.pk}/", {"liked": "0"})
    assert not Like.objects.exists()
    assert [(c["product_id"], c["liked"]) for c in liked_events] == [(product.pk, True), (product.pk, False)]


def test_liking_an_unknown_product_is_a_404(client):
    assert client.post("/likes/999999/", {"liked": "1"}).status_code == 404
    assert client.get("/likes/999999/").status_code == 405


def test_likes_list_newest_first_and_only_ones_own(client):
    user = UserFactory()
    first, second = product_with_sizes(name="First"), product_with_sizes(name="Second")
    LikeFactory(user=user, product=first)
    LikeFactory(user=user, product=second)
    LikeFactory(product=product_with_sizes(name="Someone else's"))
    client.force_login(user)
    assert [p.name for p in client.get("/likes/").context["page_obj"].object_list] == ["Second", "First"]


def test_a_guests_likes_follow_them_into_their_account(client):
    user = UserFactory(username="ada")
    both, guest_only = product_with_sizes(name="Both"), product_with_sizes(name="Guest only")
    LikeFactory(user=user, product=both)
    client.post(f"/likes/{both.pk}/", {"liked": "1"})
    client.post(f"/likes/{guest_only.pk}/", {"liked": "1"})
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert sorted(p.name for p in client.get("/likes/").context["page_obj"].object_list) == ["Both", "Guest only"]
    assert Like.objects.filter(user__isnull=True).count() == 0

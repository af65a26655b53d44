"""Who is shopping: the signed-in user, or a guest known by a key kept in their session.

Django rotates the session key at login, so the guest's cart and likes are keyed by the session key
as it was on their first write, remembered inside the session. The login receivers read it back
to merge the guest's things into the account.
"""

from dataclasses import dataclass

GUEST_KEY = "vitrine_guest_key"


@dataclass(frozen=True)
class Visitor:
    user: object | None  # an authenticated User, or None for a guest
    guest_key: str | None  # None until the guest first writes something
    session_key: str | None  # the current session key, for events

    @property
    def is_guest(self) -> bool:
        return self.user is None


def visitor_from_request(request, *, create_guest_key: bool = False) -> Visitor:
    """The visitor behind a request; with create_guest_key a guest gets a key (and a saved session)."""
    user = request.user if request.user.is_authenticated else None
    key = request.session.get(GUEST_KEY)
    if user is None and key is None and create_guest_key:
        if request.session.session_key is None:
            request.session.save()
        key = request.session.session_key
        request.session[GUEST_KEY] = key
    return Visitor(user=user, guest_key=key, session_key=request.session.session_key)

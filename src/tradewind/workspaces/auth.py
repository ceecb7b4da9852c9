from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .services import user_language_set


class AccountAdapter(DefaultAccountAdapter):
    """Invitation only: people join a workspace when an administrator invites them."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        # A language picked on the sign-in page is a fresh, explicit choice: it wins over the saved one.
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in dict(settings.LANGUAGES) and chosen != user.language:
            user_language_set(user=user, language=chosen)
        super().login(request, user)

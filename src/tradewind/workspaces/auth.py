from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Invitation only: people join a workspace when an administrator invites them."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

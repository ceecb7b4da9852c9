from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tradewind.core.errors import ServiceError
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership
from tradewind.workspaces.services import token_create


class Command(BaseCommand):
    help = "Manage personal API tokens: `tradewind token create --user EMAIL [--workspace SLUG] [--name NAME]`."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True, help="the member's e-mail")
        create.add_argument(
            "--workspace", help="workspace slug (needed when the user is in several)"
        )
        create.add_argument("--name", default="command line")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        members = Membership.objects.select_related("workspace", "user").filter(
            user__email__iexact=opts["user"], is_active=True
        )
        if opts.get("workspace"):
            members = members.filter(workspace__slug=opts["workspace"])
        found = list(members[:2])
        if not found:
            raise CommandError(f"No active member {opts['user']!r} found.")
        if len(found) > 1:
            raise CommandError("That user is in several workspaces; pass --workspace SLUG.")
        try:
            _token, secret = token_create(actor=Actor.for_member(found[0]), name=opts["name"])
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(secret)

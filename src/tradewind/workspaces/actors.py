"""Who is acting: a member through the pages, a token through the API, an import or an automation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .choices import ActorKind

if TYPE_CHECKING:
    from .models import Membership, User, Workspace


@dataclass(frozen=True, slots=True)
class Actor:
    workspace: Workspace
    member: Membership | None
    kind: str = ActorKind.USER
    token_id: int | None = None
    label: str = ""

    @property
    def user(self) -> User | None:
        return self.member.user if self.member is not None else None

    @property
    def user_id(self) -> int | None:
        return self.member.user_id if self.member is not None else None

    @classmethod
    def for_member(cls, member: Membership) -> Actor:
        return cls(workspace=member.workspace, member=member, kind=ActorKind.USER)

    @classmethod
    def for_token(cls, member: Membership, token_id: int) -> Actor:
        return cls(
            workspace=member.workspace, member=member, kind=ActorKind.TOKEN, token_id=token_id
        )

    @classmethod
    def system(cls, workspace: Workspace, label: str, kind: str = ActorKind.SYSTEM) -> Actor:
        return cls(workspace=workspace, member=None, kind=kind, label=label)

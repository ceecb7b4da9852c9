"""Comments over the API: a record's comments and adding one (`target_type`, `target_id`), and
editing or deleting one's own. A record the caller may not see answers 404, like one that does
not exist; so does somebody else's comment."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import comments
from .comments_render import render_body
from .models_tasks import Comment
from .targets import target_get

router = Router(tags=["comments"])


class CommentOut(Schema):
    id: int
    target_type: str
    target_id: int
    author_id: int
    author_name: str
    body: str
    html: str = Field(description="The body escaped, mentions highlighted")
    mentions: list[int]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    version: int


class TargetIn(Schema):
    target_type: str = Field(..., description="lead, customer, contact or opportunity")
    target_id: int


class CommentIn(Schema):
    body: str = ""
    mentions: list[int] = Field(
        default_factory=list, description="User ids to mention besides the @names in the body"
    )


class CommentEditIn(Schema):
    body: str = ""
    mentions: list[int] = Field(default_factory=list)


def _out(comment: Comment, names: dict[int, str]) -> dict:
    return {
        "id": comment.pk,
        "target_type": comment.target_type,
        "target_id": comment.target_id,
        "author_id": comment.author_id,
        "author_name": names.get(comment.author_id) or str(comment.author),
        "body": comment.body,
        "html": str(render_body(comment.body, names, comment.mentions or [])),
        "mentions": comment.mentions or [],
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "version": comment.version,
    }


def _names(request: HttpRequest) -> dict[int, str]:
    return dict(comments.mentionable(request.member.workspace_id))


def _target(request: HttpRequest, params: TargetIn):
    return target_get(
        member=request.member,
        workspace=request.member.workspace,
        target_type=params.target_type,
        target_id=params.target_id,
    )


@router.get(
    "/comments",
    response={200: list[CommentOut], **READ_ERRORS},
    summary="A record's comments, oldest first",
)
def comment_list(request: HttpRequest, params: Query[TargetIn]) -> list:
    target = _target(request, params)
    names = _names(request)
    return [_out(c, names) for c in comments.comments_of(target)]


@router.post(
    "/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on a record",
    description=(
        'Mentioned colleagues ("@Name" in the body, or `mentions`) who may open the record get '
        "an in-app notification."
    ),
)
def comment_add(request: HttpRequest, params: Query[TargetIn], payload: CommentIn) -> Status:
    require(request.actor, Perm.COMMENT_CREATE)
    target = _target(request, params)
    comment = comments.comment_add(
        actor=request.actor, target=target, body=payload.body, mentions=payload.mentions
    )
    return Status(201, _out(comment, _names(request)))


@router.patch(
    "/comments/{comment_id}",
    response={200: CommentOut, **ERRORS},
    summary="Edit my comment",
)
def comment_edit(request: HttpRequest, comment_id: int, payload: CommentEditIn) -> dict:
    require(request.actor, Perm.COMMENT_CREATE)
    comment = comments.own_comment_get(member=request.member, pk=comment_id)
    comment = comments.comment_edit(
        actor=request.actor, comment=comment, body=payload.body, mentions=payload.mentions
    )
    return _out(comment, _names(request))


@router.delete(
    "/comments/{comment_id}", response={204: None, **ERRORS}, summary="Delete my comment"
)
def comment_delete(request: HttpRequest, comment_id: int) -> Status:
    require(request.actor, Perm.COMMENT_CREATE)
    comment = comments.own_comment_get(member=request.member, pk=comment_id)
    comments.comment_delete(actor=request.actor, comment=comment)
    return Status(204, None)

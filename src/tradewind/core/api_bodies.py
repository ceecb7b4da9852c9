"""A request body schema that must be a JSON object.

ninja's Schema reads attributes of whatever it is given (its DjangoGetter wrapper), so a schema
whose fields all have defaults would accept `[null, null]` or `3` as an empty body.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import model_validator


class ObjectBody(Schema):
    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("a JSON object")
        return data

"""django-ninja names an OpenAPI component after the schema class, so two API modules declaring a
class of the same name (say `StageOut`) silently share one component: the document then describes one
of them wrongly. Classes that share a name must therefore describe the same JSON (the list tools'
`ViewIn`/`BulkOut` of each module are the same shape); any other pair must be renamed."""

from __future__ import annotations

import json
from collections import defaultdict

from ninja import Schema

from tradewind.config.api import api


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_api_schema_class_has_its_own_name():
    components = set(api.get_openapi_schema()["components"]["schemas"])
    by_name: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("tradewind.") and cls.__name__ in components:
            shape = json.dumps(cls.model_json_schema(), sort_keys=True)
            by_name[cls.__name__][shape].append(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {
        name: sorted(w for where in shapes.values() for w in where)
        for name, shapes in by_name.items()
        if len(shapes) > 1
    }
    assert not clashes, f"rename one of each: {clashes}"

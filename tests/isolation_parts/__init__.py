"""Per-area additions to the isolation walk (tests/test_isolation.py).

Each module here may define:
  ROUTES: dict[str, str]      page URL name -> target object name
  API: dict[str, str]         API path parameter name -> target object name
  WORKSPACE_WIDE: set[str]    API parameters only the other workspace is an outsider for
  objects(world) -> dict      target object name -> an object of workspace A (owned by world.rep)
  state(world) -> tuple       everything an outsider's request could have changed
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def parts() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]

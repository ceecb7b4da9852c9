"""gunicorn settings for `tradewind serve`.

The app is loaded once in the master (`preload_app`), with its URL conf, views, API schemas and
both translation catalogues, then forked: the workers share those pages instead of each importing
the same ~200 MB. Following the `gc.freeze` recipe in the Python docs, the master collects no
garbage until the fork and freezes what it built, so a worker's collector does not touch (and
copy) the shared objects.
"""

from __future__ import annotations

import gc
from typing import Any

preload_app = True

gc.disable()


def when_ready(server: Any) -> None:
    # Runs in the master after the app is loaded and before the first worker is forked.
    if not server.cfg.preload_app:  # `--no-preload` on the command line: nothing to share
        return
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018 - builds the URL conf and imports every view
    for language in ("en", "zh-hans"):
        with translation.override(language):
            translation.gettext("Leads")
    gc.collect()
    gc.freeze()


def post_fork(server: object, worker: object) -> None:
    gc.enable()

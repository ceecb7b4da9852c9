"""Core tests: the faster `api` client fixture, and Hypothesis kept out of the working tree."""

import tempfile
from pathlib import Path

from hypothesis import configuration

from tests.workspaces.conftest import api  # noqa: F401 - the shared-handler variant

# Hypothesis caches literal constants of the code under test in ./.hypothesis; keep that in the
# system's temp directory so a test run leaves the checkout as it found it.
configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "tradewind-hypothesis")

"""pytest fixtures for the browser tests (scripts/browser-tests.sh runs them).

    def test_something(browser, stack): ...

`stack` is the running test stack (harness.Stack), `browser` a fresh headless Chromium per test
whose screenshots go to test-output/browser/<module>.<test>/.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness import Browser, Stack  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    return Stack.load()


@pytest.fixture
def browser(request):
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    instance = Browser("%s.%s" % (module, request.node.name))
    yield instance
    instance.quit()

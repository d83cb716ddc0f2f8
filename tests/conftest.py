import pytest

from tests.harness import PlanResult, run_stack


@pytest.fixture(scope="module")
def dev() -> PlanResult:
    return run_stack("dev")


@pytest.fixture(scope="module")
def prod() -> PlanResult:
    return run_stack("prod")

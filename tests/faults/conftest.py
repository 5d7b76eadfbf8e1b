"""The fault campaigns (tests/faults/campaigns.py) are not part of `make test`: `make faults` runs
them (every write index, every protocol step); tests/faults/test_faults_sample.py runs a sample.

tests/ is already on sys.path (tests/conftest.py), so ``faults.*`` imports resolve."""

import pytest


@pytest.fixture(scope="session")
def faults_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")

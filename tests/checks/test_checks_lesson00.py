"""The open exercise of lesson 00: settings graded on the outcome of training (the reference solution passes in
test_checks_package.py)."""

import pytest

from gan_course import checks
from gan_course.checks import lesson00



@pytest.mark.parametrize("settings, message", [
    ({"lr": 2e-4, "steps": 2000}, "W1 is"),            # too short: not converged
    ({"lr": 1e-2, "steps": 2000}, "too large"),        # W1 too high, with the hint about large rates
    ({"lr": 2e-4}, "exactly the keys"),
    ({"lr": 2e-4, "steps": 10**6}, "from 1 to"),
    ({"lr": -1.0, "steps": 100}, "'lr' to be"),
    ({"lr": 2e-4, "steps": 100.0}, "integer"),
    (None, "None"),
])
def test_three_modes_rejects_and_explains(settings, message):
    with pytest.raises(AssertionError, match=message):
        checks.three_modes(lambda: settings)


def test_three_modes_explains_the_stub():
    def stub():
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not implemented"):
        checks.three_modes(stub)


def test_measure_three_modes_on_a_perfect_generator():
    class Data:
        z_dim = 1

        def __call__(self, z):  # the data itself, through the prior's noise
            return lesson00.three_mode_data().sample(len(z))

    w1, shares = lesson00.measure_three_modes(Data())
    assert w1 < 0.1 and all(0.3 < s < 0.37 for s in shares)

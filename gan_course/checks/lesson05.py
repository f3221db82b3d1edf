"""Check of lesson 05's open exercise: a method of the student's own on the grid of 25 Gaussians.

The student returns a :class:`gan_course.toy_gans.ToyGAN`; the check refuses networks, batches or a budget
other than the benchmark's (so that the outcome is comparable with the lesson's table), trains it on the grid
for :data:`GRID_STEPS` generator steps from seed 0 and grades the outcome with the VEEGAN/PacGAN protocol: every
mode, and a share of high-quality samples well below what a good method reaches. One run is noisy: the reference
solution read 66% to 88% high quality over seeds 0-5 (25 modes each time), and a run at the same seed differs
between CPUs as much (their floating-point sums differ, and a GAN's training amplifies the difference). Three seeds
would grade less luck but take three times as long; the target leaves the margin instead.

Taught in: lesson 05
"""

from __future__ import annotations

from ._common import _call, _describe, exercise_check

GRID_STEPS = 4000          # the benchmark's cpu budget
GRID_TARGET = (25, 60.0)   # modes captured (of 25), high-quality share (%)
_FIXED = ("batch_size", "z_dim", "g_hidden", "g_depth", "d_hidden", "d_depth")


@exercise_check(seed=50)
def grid_gan(student_fn) -> None:
    """Check (open exercise): grade the student's ToyGAN on the grid: all 25 modes (no method of the lesson's table
    averages that) and >= 60% high-quality samples."""
    from .. import toy_gans
    from ..data import grid_of_gaussians

    method = _call(student_fn, "your method", expected="a toy_gans.ToyGAN, e.g. METHODS['gan'].replace(lr=1e-3)")
    if not isinstance(method, toy_gans.ToyGAN):
        raise AssertionError(f"case 'your method': expected a toy_gans.ToyGAN (e.g. "
                             f"toy_gans.METHODS['gan'].replace(lr=1e-3)), received {_describe(method)}")
    base = toy_gans.ToyGAN("reference")
    changed = [f"{name}={getattr(method, name)}" for name in _FIXED if getattr(method, name) != getattr(base, name)]
    if changed:
        raise AssertionError(f"case 'your method': expected the benchmark's networks and batch size, received "
                             f"{', '.join(changed)}: "
                             "keep those fixed and change the method instead")
    if method.n_critic > 5:
        raise AssertionError(f"case 'your method': expected n_critic <= 5 (the budget counts generator steps), "
                             f"received {method.n_critic}")
    grid = grid_of_gaussians()
    try:
        G = toy_gans.train_toy_gan(method, grid, GRID_STEPS, seed=0)
    except ValueError as err:
        raise AssertionError(f"case 'your method': expected a method that trains, received one that fails: {err}") from None
    cov = toy_gans.evaluate(G, grid, seed=0)
    modes, hq = GRID_TARGET
    if cov.modes < modes or 100 * cov.hq_fraction < hq:
        hint = ("samples between the modes: G has not settled on them (look at the spread and high-quality columns "
                "of the benchmark, at how the annealed GAN's schedule works, and at Adam's momentum)"
                if cov.modes >= modes else
                "modes missing: compare the sweep's learning rates, and what minibatch statistics let D see")
        raise AssertionError(f"{method.name}: {cov} after {GRID_STEPS} steps (target: {modes} modes, >= {hq:g}% "
                             f"high quality). Hint: {hint}")
    print(f"✔ grid_gan passed: {method.name}: {cov}, spread {cov.spread:.2f}")

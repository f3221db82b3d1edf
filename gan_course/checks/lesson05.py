"""Check of lesson 05's open exercise: a method of the student's own on the grid of 25 Gaussians.

The student returns a :class:`gan_course.toy_gans.ToyGAN`; the check refuses networks, batches or a budget
other than the benchmark's (so that the outcome is comparable with the lesson's table), trains it on the grid
for :data:`GRID_STEPS` generator steps from each of :data:`GRID_SEEDS` and grades the mean outcome with the
VEEGAN/PacGAN protocol. One run is not enough to grade: the share of high-quality samples of one method at one
seed moved between 66% and 88% over seeds 0-5 (the reference solution below), and by as much between CPUs at the
same seed (their floating-point sums differ, and a GAN's training amplifies the difference).

Taught in: lesson 05
"""

from __future__ import annotations

from ._common import _call, _describe, exercise_check

GRID_STEPS = 4000          # the benchmark's cpu budget
GRID_SEEDS = (0, 1, 2)     # the check's runs; their mean is graded
GRID_TARGET = (24.5, 65.0)  # mean modes captured (of 25) and mean high-quality share (%) over GRID_SEEDS
_FIXED = ("batch_size", "z_dim", "g_hidden", "g_depth", "d_hidden", "d_depth")


@exercise_check(seed=50)
def grid_gan(student_fn) -> None:
    """Check (open exercise): grade the student's ToyGAN on the grid over three seeds: on average >= 24.5 of 25
    modes (no method of the lesson's table reaches that) and >= 65% high-quality samples."""
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
    modes, hq = GRID_TARGET
    runs = []
    for seed in GRID_SEEDS:
        try:
            G = toy_gans.train_toy_gan(method, grid, GRID_STEPS, seed=seed)
        except ValueError as err:
            raise AssertionError(f"case 'your method': expected a method that trains, received one that fails: "
                                 f"{err}") from None
        runs.append(toy_gans.evaluate(G, grid, seed=0))
        # stop early when even 25 modes at every remaining seed could not lift the mean to the target
        if (sum(c.modes for c in runs) + 25 * (len(GRID_SEEDS) - len(runs))) / len(GRID_SEEDS) < modes:
            break
    mean_modes = sum(c.modes for c in runs) / len(runs)
    mean_hq = 100 * sum(c.hq_fraction for c in runs) / len(runs)
    each = "; ".join(f"seed {seed}: {cov}" for seed, cov in zip(GRID_SEEDS, runs))
    if len(runs) < len(GRID_SEEDS) or mean_modes < modes or mean_hq < hq:
        hint = ("modes missing: compare the sweep's learning rates, and what minibatch statistics let D see"
                if mean_modes < modes or len(runs) < len(GRID_SEEDS) else
                "samples between the modes: G has not settled on them (look at the spread and high-quality columns "
                "of the benchmark, at how the annealed GAN's schedule works, and at Adam's momentum)")
        stopped = (f" (stopped after {len(runs)} of {len(GRID_SEEDS)} seeds: the mean could no longer reach "
                   f"{modes:g} modes)" if len(runs) < len(GRID_SEEDS) else "")
        raise AssertionError(f"{method.name}: mean {mean_modes:.1f} modes and {mean_hq:.1f}% high quality after "
                             f"{GRID_STEPS} steps{stopped} ({each}) (target: >= {modes:g} modes and >= {hq:g}% high "
                             f"quality on average over seeds {', '.join(map(str, GRID_SEEDS))}). Hint: {hint}")
    print(f"✔ grid_gan passed: {method.name}: mean {mean_modes:.1f} modes and {mean_hq:.1f}% high quality ({each})")

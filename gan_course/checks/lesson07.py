"""Check of lesson 07's open exercise: a path through the latent space that stays on the shell.

The student writes ``walk(z0, z1, n)``, any path of ``n`` points from ``z0`` to ``z1``; the check grades what it
measures on the path rather than the formula: the ends are the given points, every point's norm stays between the
ends' norms, within 3% (on the shell where N(0, I) puts its samples, lesson 07, section 3.1), and the steps are of equal
length within 10% (a walk at constant speed). Spherical interpolation passes; so does a normalised straight line
walked at constant angular speed; the straight line does not.

Taught in: lesson 07
"""

from __future__ import annotations

import torch

from ._common import _call, _describe, exercise_check


@exercise_check(seed=70)
def shell_walk(student_fn) -> None:
    """Check (open exercise): grade ``walk(z0, z1, n) -> (n, d)`` on the paths it makes between random pairs of z of norm sqrt(d)."""
    for case, (d, n) in {"d = 100, 9 points": (100, 9), "d = 100, 33 points": (100, 33), "d = 8, 5 points": (8, 5)}.items():
        z0, z1 = torch.randn(d), torch.randn(d)
        z0, z1 = z0 / z0.norm() * d ** 0.5, z1 / z1.norm() * d ** 0.5  # two typical z, on the shell of radius sqrt(d)
        path = _call(student_fn, case, z0.clone(), z1.clone(), n, expected=f"a tensor of shape ({n}, {d})")
        if not isinstance(path, torch.Tensor) or tuple(path.shape) != (n, d):
            raise AssertionError(f"case '{case}': expected a tensor of shape ({n}, {d}), received {_describe(path)}")
        path = path.detach().double()
        if not torch.isfinite(path).all():
            raise AssertionError(f"case '{case}': expected finite points, received NaN or inf")
        if not (torch.allclose(path[0], z0.double(), atol=1e-4) and torch.allclose(path[-1], z1.double(), atol=1e-4)):
            raise AssertionError(f"case '{case}': expected the path to start at z0 and end at z1")
        norms = path.norm(dim=1)
        low, high = min(z0.norm(), z1.norm()).item(), max(z0.norm(), z1.norm()).item()
        off = torch.clamp(low - norms, min=0) / low + torch.clamp(norms - high, min=0) / high  # 0 on the shell
        if off.max().item() > 0.03:
            i = int(off.argmax())
            raise AssertionError(f"case '{case}': point {i} of your path has norm {norms[i]:.2f}, while the ends have "
                                 f"{low:.2f} and {high:.2f} ({100 * off[i]:.0f}% outside; target within 3%): it leaves "
                                 "the shell where the generator was trained")
        steps = (path[1:] - path[:-1]).norm(dim=1)
        spread = ((steps.max() - steps.min()) / steps.mean()).item()
        if spread > 0.1:
            raise AssertionError(f"case '{case}': your steps range from {steps.min():.3f} to {steps.max():.3f} "
                                 f"({100 * spread:.0f}% of their mean; target within 10%): walk at constant speed")
    print("✔ shell_walk passed: every path stays on the shell (within 3%) at constant speed (within 10%)")

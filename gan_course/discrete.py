"""GANs on discrete data: a categorical data set and a generator of one-hot vectors.

Real discrete data (words, notes, classes) arrive as one-hot vectors. A generator
ends in a softmax and must turn its probabilities into a one-hot sample; how it
does that decides whether D's verdict can reach G at all (lesson 03):

* ``"argmax"``: ``one_hot(argmax(logits))``. Piecewise constant in the logits, so
  its derivative is exactly 0 almost everywhere: G receives no gradient.
* ``"gumbel"``: Gumbel-softmax (Jang et al. 2017; Maddison et al. 2017),
  ``softmax((logits + g) / tau)`` with Gumbel noise ``g``: a differentiable,
  *relaxed* sample in the simplex -- never exactly one-hot, which D can notice.
* ``"straight-through"``: the hard one-hot of the Gumbel sample in the forward
  pass, the relaxed sample's gradient in the backward pass.

Taught in: lesson 03.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .data import SampleStream
from .models.gan import MLPGenerator

OUTPUTS = ("argmax", "gumbel", "straight-through")


class Categorical:
    """A categorical distribution over ``K`` categories, sampled as one-hot vectors (N, K)."""

    def __init__(self, probs):
        probs = torch.as_tensor(probs, dtype=torch.float32)
        if probs.dim() != 1 or len(probs) < 2 or (probs < 0).any() or abs(float(probs.sum()) - 1) > 1e-5:
            raise ValueError(f"probs must be a 1D probability vector over at least 2 categories, got {probs.tolist()}")
        self.probs = probs

    @property
    def dim(self) -> int:
        return len(self.probs)

    def __repr__(self) -> str:
        return f"Categorical({[round(p, 3) for p in self.probs.tolist()]})"

    def sample(self, n: int, generator: torch.Generator | None = None, device=None) -> Tensor:
        """``n`` one-hot samples (n, K)."""
        index = torch.multinomial(self.probs, n, replacement=True, generator=generator)  # (n,)
        one_hot = F.one_hot(index, self.dim).float()  # (n, K)
        return one_hot if device is None else one_hot.to(device)

    def batches(self, batch_size: int, seed: int = 0, device=None) -> SampleStream:
        """An endless, resumable stream of one-hot batches (batch_size, K)."""
        return SampleStream(self, batch_size, seed=seed, device=device)


def one_hot_argmax(logits: Tensor) -> Tensor:
    """The one-hot vector of the largest logit, (B, K) -> (B, K). Has no gradient."""
    return F.one_hot(logits.argmax(dim=1), logits.shape[1]).to(logits.dtype)


class CategoricalGenerator(nn.Module):
    """An MLP from noise to K logits, followed by one of :data:`OUTPUTS` to make a sample.

    Args:
        n_categories: K, the size of the one-hot vectors.
        output: ``"argmax"``, ``"gumbel"`` or ``"straight-through"`` (see the module docstring).
        tau: the Gumbel-softmax temperature (lower: closer to one-hot, noisier gradients).
        z_dim, hidden, depth: the MLP's noise size, width and number of hidden layers.
    """

    def __init__(self, n_categories: int, output: str = "straight-through", tau: float = 1.0,
                 z_dim: int = 4, hidden: int = 64, depth: int = 2):
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
        if not tau > 0:
            raise ValueError(f"the temperature tau must be positive, got {tau}")
        self.output, self.tau, self.z_dim = output, tau, z_dim
        self.net = MLPGenerator(z_dim=z_dim, data_dim=n_categories, hidden=hidden, depth=depth)

    def sample_z(self, n: int) -> Tensor:
        return self.net.sample_z(n)

    def logits(self, z: Tensor) -> Tensor:
        return self.net(z)  # (B, K)

    def forward(self, z: Tensor) -> Tensor:
        logits = self.logits(z)  # (B, K)
        if self.output == "argmax":
            return one_hot_argmax(logits)
        return F.gumbel_softmax(logits, tau=self.tau, hard=self.output == "straight-through")  # (B, K)

    @torch.no_grad()
    def frequencies(self, n: int = 20_000) -> Tensor:
        """How often each category is generated, from ``n`` samples: (K,), summing to 1."""
        samples = self(self.sample_z(n))  # (n, K)
        return torch.bincount(samples.argmax(dim=1).cpu(), minlength=samples.shape[1]).float() / n

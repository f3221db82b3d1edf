"""Improved techniques for training GANs (Salimans et al. 2016): feature matching.

Feature matching (Section 3.1) gives G a new objective: instead of maximising D's output, G
matches the mean of D's intermediate features f(x) on real and on generated data,

    || E_{x ~ p_data} f(x) - E_{z ~ p_z} f(G(z)) ||_2^2                                (Section 3.1)

while D trains as usual. G then aims at statistics of the whole data set rather than at
whatever D currently rates highest, a target that moves less. The same paper's one-sided
label smoothing is :func:`gan_course.losses.smoothed_d_loss`; the minibatch standard deviation
of PGGAN, the simpler successor of its minibatch discrimination, is
:class:`gan_course.layers.MinibatchStdDev`.

Taught in: lesson 05 (the stabilising tricks on the mode-coverage benchmark).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .gan import GANStep


class FeatureMatchingStep(GANStep):
    """A :class:`~gan_course.models.gan.GANStep` whose G matches the mean of D's features.

    D needs a ``features(x)`` method (the toy :class:`~gan_course.models.gan.MLPDiscriminator`
    has one: its last hidden layer). D's update is the GAN's.
    """

    def __init__(self, G, D, d_opt, g_opt, **options):
        if not hasattr(D, "features"):
            raise ValueError(f"feature matching needs D.features(x); {type(D).__name__} has none")
        super().__init__(G, D, d_opt, g_opt, **options)

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        """One update of G: move the mean of f(G(z)) onto the mean of f(x) (D frozen)."""
        z = self.sample_z(real.shape[0])                                 # m fresh noise samples
        self.D.requires_grad_(False)
        try:
            with torch.no_grad():
                target = self.D.features(real).mean(0)                   # E f(x) on the batch, (hidden,)
            loss = (self.D.features(self.G(z)).mean(0) - target).pow(2).sum()  # ||E f(x) - E f(G(z))||^2
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {"g_loss": loss.detach()}

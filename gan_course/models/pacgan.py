"""PacGAN (Lin, Khetan, Fanti & Oh 2018): the discriminator judges packs of samples jointly.

A pack of ``m`` samples from a collapsed generator repeats itself, while a pack of real
samples does not; a D that sees packs penalises mode collapse. Any GAN becomes its PacGAN-m
variant by wrapping its D in :class:`PackedDiscriminator` (the paper's m = 2 and 4).

Taught in: lesson 05 (the mode-coverage benchmark).
"""

from __future__ import annotations

from torch import Tensor, nn


class PackedDiscriminator(nn.Module):
    """PacGAN's D (Lin et al. 2018): one verdict on ``pack`` samples concatenated.

    A pack of real samples and a pack of collapsed fakes differ far more than single
    samples do: a pack of fakes from a collapsed G repeats itself. The verdict is
    repeated for each sample of its pack, so the output keeps the shape (B,) that the
    losses and the training loop expect, and batch means are unchanged.
    """

    def __init__(self, D: nn.Module, pack: int):
        super().__init__()
        if pack < 1:
            raise ValueError(f"pack must be a positive integer, got {pack}")
        self.D, self.pack = D, pack

    def forward(self, x: Tensor) -> Tensor:
        B, d = x.shape  # (B, d)
        if B % self.pack:
            raise ValueError(f"the batch ({B}) must be a multiple of pack ({self.pack})")
        logits = self.D(x.reshape(B // self.pack, self.pack * d))  # (B / pack,)
        return logits.repeat_interleave(self.pack)  # (B,): each pack's verdict for each of its samples

"""A LeNet-style MNIST classifier: the course's stand-in for Inception when scoring generated digits.

Lesson 06 computes FID on its penultimate features (:meth:`MNISTClassifier.features`)
and the Inception Score on its class probabilities. It is trained by
``python -m gan_course train mnist-classifier`` (:mod:`gan_course.recipes`).
"""

from __future__ import annotations

from torch import Tensor, nn


class MNISTClassifier(nn.Module):
    """Images (B, 1, 28, 28) in [-1, 1] -> class logits (B, 10); ``features`` gives the penultimate layer."""

    def __init__(
        self,
        width: int = 32,        # channels of the first convolution; the second has 2x as many
        n_features: int = 256,  # size of the penultimate layer (the FID features)
        dropout: float = 0.5,   # dropout on the features during training
    ):
        super().__init__()
        self.n_features = n_features
        self.body = nn.Sequential(
            nn.Conv2d(1, width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),              # (B, w, 14, 14)
            nn.Conv2d(width, 2 * width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),      # (B, 2w, 7, 7)
            nn.Flatten(), nn.Linear(2 * width * 7 * 7, n_features), nn.ReLU(),         # (B, n_features)
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_features, 10)

    def features(self, x: Tensor) -> Tensor:
        """The penultimate activations (B, n_features)."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
            raise ValueError(f"the classifier expects images of shape (B, 1, 28, 28), got {tuple(x.shape)}")
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.dropout(self.features(x)))  # (B, 10)

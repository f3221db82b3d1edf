"""Numbers that measure a GAN, one module per question:

* :mod:`.distributions`: how close samples are to the data as distributions (W1, KL/JS/TV, mode coverage,
  a Lipschitz estimate); lessons 02–05;
* :mod:`.samples`: how close generated images are on a classifier's features (FID, IS, precision and
  recall); lessons 08–09;
* :mod:`.detection`: how well a score finds anomalies (AUROC, the ROC curve, a threshold for a false-alarm
  rate); lesson 16;
* :mod:`.sliced`: PGGAN's sliced Wasserstein distance on Laplacian-pyramid patches (``metrics.swd``); the PGGAN
  lesson;
* :mod:`.latent`: how a latent space is organised (StyleGAN's perceptual path length and linear separability);
  the StyleGAN lesson.

Every public name is also here: ``metrics.wasserstein1``, ``metrics.fid_from_features``, ``metrics.auroc``.
Every function rejects bad input with a ``ValueError`` or ``TypeError`` that names the argument.

Taught in: lessons 02–09, 16, 18 and 19
"""

from .detection import auroc, rates_at, roc_curve, threshold_at
from .distributions import (
    ModeCoverage,
    js_divergence,
    kl_divergence,
    lipschitz_estimate,
    mode_coverage,
    mode_fractions,
    total_variation,
    wasserstein1,
)
from .samples import fid_from_features, frechet_distance, inception_score, knn_radii, precision_recall
from .latent import (PathLength, Separability, conditional_entropy, lerp_rows, perceptual_path_length, separability,
                     unit_slerp)
from .sliced import laplacian_pyramid, sliced_wasserstein, swd

__all__ = [
    "auroc", "rates_at", "roc_curve", "threshold_at",
    "ModeCoverage", "js_divergence", "kl_divergence", "lipschitz_estimate", "mode_coverage", "mode_fractions",
    "total_variation", "wasserstein1",
    "fid_from_features", "frechet_distance", "inception_score", "knn_radii", "precision_recall",
    "PathLength", "Separability", "conditional_entropy", "lerp_rows", "perceptual_path_length", "separability",
    "unit_slerp",
    "laplacian_pyramid", "sliced_wasserstein", "swd",
]

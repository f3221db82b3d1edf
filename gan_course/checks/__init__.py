"""Checks for the graded exercises, one module per lesson.

A notebook calls ``gan_course.checks.<name>(student_fn)``; each check calls the student's function on
a few cases, compares with the reference, and either prints a short pass message or raises
``AssertionError`` saying which case failed, what was expected and what was received. A check never
crashes on a wrong answer, checks every gradient path of a function that training backpropagates
through, and leaves the notebook's random stream alone.

* :mod:`.lesson01` (lessons 00 and 01, the GAN objective): ``discriminator_loss``, ``generator_loss``,
  ``optimal_discriminator``, ``js_from_densities``
* :mod:`.lesson02` (divergences): ``kl_divergence``, ``js_divergence``, ``wasserstein1_1d``
* :mod:`.lesson03` (a first GAN): ``training_step``, ``mode_coverage``
* :mod:`.lesson04` (WGAN): ``critic_loss``, ``weight_clipping``, ``gradient_penalty``
* :mod:`.lesson05` (DCGAN): ``generator_block``, ``discriminator_block``, ``dcgan_init``
* :mod:`.lesson06` (evaluating GANs): ``frechet_distance``, ``inception_score``
* :mod:`._common`: calling the student's function, reading what it returns, the messages

Taught in: lessons 00–06
"""

from .lesson01 import discriminator_loss, generator_loss, js_from_densities, optimal_discriminator
from .lesson02 import js_divergence, kl_divergence, wasserstein1_1d
from .lesson03 import mode_coverage, training_step
from .lesson04 import critic_loss, gradient_penalty, weight_clipping
from .lesson05 import dcgan_init, discriminator_block, generator_block
from .lesson06 import frechet_distance, inception_score

__all__ = [
    "discriminator_loss", "generator_loss", "optimal_discriminator", "js_from_densities",
    "kl_divergence", "js_divergence", "wasserstein1_1d",
    "training_step", "mode_coverage",
    "critic_loss", "weight_clipping", "gradient_penalty",
    "generator_block", "discriminator_block", "dcgan_init",
    "frechet_distance", "inception_score",
]

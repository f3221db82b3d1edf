"""Checks for the graded exercises, one module per lesson.

A notebook calls ``gan_course.checks.<name>(student_fn)``; each check calls the student's function on
a few cases, compares with the reference, and either prints a short pass message or raises
``AssertionError`` saying which case failed, what was expected and what was received. A check never
crashes on a wrong answer, checks every gradient path of a function that training backpropagates
through, and leaves the notebook's random stream alone.

* :mod:`.lesson00` (start here): ``three_modes``, an open exercise graded on the trained GAN's outcome
* :mod:`.lesson01` (the GAN objective): ``discriminator_loss``, ``generator_loss``,
  ``optimal_discriminator``, ``js_from_densities``; open: ``best_gaussian``
* :mod:`.lesson02` (divergences): ``kl_divergence``, ``js_divergence``, ``wasserstein1_1d``; open: ``critic_w1``
* :mod:`.lesson03` (a first GAN): ``training_step``, ``mode_coverage``; open: ``ring_gan``
* :mod:`.lesson04` (WGAN): ``critic_loss``, ``weight_clipping``, ``gradient_penalty``; open: ``clipped_critic_scale``
* :mod:`.lesson05` (stabilising GANs): open: ``grid_gan``
* :mod:`.lesson06` (DCGAN): ``generator_block``, ``discriminator_block``, ``dcgan_init``; open: ``even_upsampling``
* :mod:`.lesson07` (DCGAN trained): open: ``shell_walk``
* :mod:`.lesson08` (evaluating GANs): ``frechet_distance``, ``inception_score``; open: ``cherry_picked_is``
* :mod:`.lesson09` (comparing GANs): ``precision_recall``; open: ``precision_without_recall``
* :mod:`.lesson10` (conditional GANs): ``matching_aware_d_loss``; open: ``caption_accuracy``
* :mod:`.lesson11` (InfoGAN): ``information_loss``; open: ``code_edit``
* :mod:`.lesson12` (unpaired translation): ``cycle_loss``, ``history_query``; open: ``translation_flags``
* :mod:`.lesson13` (Twin-GAN): ``twin_generator_loss``, ``nearest_across``; open: ``better_search``
* :mod:`.lesson14` (Recycle-GAN): ``recycle_loss``; open: ``steady_translation``
* :mod:`.lesson15` (TP-GAN): ``symmetry_loss``; open: ``weigh_identity``
* :mod:`.lesson16` (anomaly detection, AnoGAN and EGBAD): ``latent_search``; open: ``alarm_threshold``
* :mod:`.lesson17` (GANomaly, f-AnoGAN and the comparison): ``ganomaly_score``; open: ``defect_map``
* :mod:`.lesson18` (progressive growing, PGGAN): ``faded_output``, ``minibatch_stddev``; open:
  ``variation_signal``
* :mod:`.lesson19` (StyleGAN): ``adain``, ``truncate``; open: ``turn_direction``
* :mod:`.lesson20` (StyleGAN's latent space): ``slerp``, ``conditional_entropy``; open: ``matching_psi``
* :mod:`.lesson21` (data parallelism): ``shard_rows``; open: ``averaged_update``
* :mod:`._common`: calling the student's function, reading what it returns, the messages

Taught in: lessons 00–21
"""

from .lesson00 import three_modes
from .lesson01 import best_gaussian, discriminator_loss, generator_loss, js_from_densities, optimal_discriminator
from .lesson02 import critic_w1, js_divergence, kl_divergence, wasserstein1_1d
from .lesson03 import mode_coverage, ring_gan, training_step
from .lesson04 import clipped_critic_scale, critic_loss, gradient_penalty, weight_clipping
from .lesson05 import grid_gan
from .lesson06 import dcgan_init, discriminator_block, even_upsampling, generator_block
from .lesson07 import shell_walk
from .lesson08 import cherry_picked_is, frechet_distance, inception_score
from .lesson09 import precision_recall, precision_without_recall
from .lesson10 import caption_accuracy, matching_aware_d_loss
from .lesson11 import code_edit, information_loss
from .lesson12 import cycle_loss, history_query, translation_flags
from .lesson13 import better_search, nearest_across, twin_generator_loss
from .lesson14 import recycle_loss, steady_translation
from .lesson15 import symmetry_loss, weigh_identity
from .lesson16 import alarm_threshold, latent_search
from .lesson17 import defect_map, ganomaly_score
from .lesson18 import faded_output, minibatch_stddev, variation_signal
from .lesson19 import adain, truncate, turn_direction
from .lesson20 import conditional_entropy, matching_psi, slerp
from .lesson21 import averaged_update, shard_rows

# Open exercises: the check trains a small model with the student's settings and grades the measured outcome,
# in seconds to about a minute and a half rather than well under a second.
OPEN = ("three_modes", "best_gaussian", "critic_w1", "ring_gan", "clipped_critic_scale", "grid_gan", "even_upsampling",
        "shell_walk", "cherry_picked_is", "precision_without_recall", "caption_accuracy", "code_edit",
        "translation_flags", "better_search", "steady_translation", "weigh_identity", "alarm_threshold",
        "defect_map", "variation_signal", "turn_direction", "matching_psi", "averaged_update")

__all__ = [
    "three_modes",
    "discriminator_loss", "generator_loss", "optimal_discriminator", "js_from_densities", "best_gaussian",
    "kl_divergence", "js_divergence", "wasserstein1_1d", "critic_w1",
    "training_step", "mode_coverage", "ring_gan",
    "critic_loss", "weight_clipping", "gradient_penalty", "clipped_critic_scale",
    "grid_gan",
    "generator_block", "discriminator_block", "dcgan_init", "even_upsampling",
    "shell_walk",
    "frechet_distance", "inception_score", "cherry_picked_is",
    "precision_recall", "precision_without_recall",
    "matching_aware_d_loss", "caption_accuracy",
    "information_loss", "code_edit",
    "cycle_loss", "history_query", "translation_flags",
    "twin_generator_loss", "nearest_across", "better_search",
    "recycle_loss", "steady_translation",
    "symmetry_loss", "weigh_identity",
    "latent_search", "alarm_threshold",
    "ganomaly_score", "defect_map",
    "faded_output", "minibatch_stddev", "variation_signal",
    "adain", "truncate", "turn_direction",
    "slerp", "conditional_entropy", "matching_psi",
    "shard_rows", "averaged_update",
]

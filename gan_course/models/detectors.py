"""The anomaly detectors of lesson 16 behind one interface, for the lesson, its benchmark and its recipes.

Each method is a module with a frozen config, ``build``, ``fit`` and ``score``:

======================  ==============================================  =========================================
method                  trained on normal images                        score of a test image x
======================  ==============================================  =========================================
``anogan``              DCGAN                                           search loss after Γ steps on z
``egbad``               BiGAN: G, E and a joint D                       (1 - α)|x - G(E(x))| + α|f - f'|
``ganomaly``            G_E, G_D, E and D                               |z - ẑ|²
``fanogan``             WGAN-GP, then E against the frozen G            A_R + κ A_D
``autoencoder``         reconstruction only (the non-GAN baseline)      |x - x̂|²
======================  ==============================================  =========================================

All take the same budget: ``steps`` generator (or reconstruction) steps of 64 images, with the same encoder and
decoder (:mod:`gan_course.layers`). f-AnoGAN's encoder has as many steps again, on a frozen G, as its paper trains
it after the GAN. Every score also gives a residual map |x - x_rebuilt|, for locating a defect.

The committed detectors are :data:`VARIANTS`, ``<method>-<data>``: ``digits`` is the source post's split (trained
on the 400 training 8s; tested on the held-out 8s and 6s), ``bricks`` the texture-defect patches.

Taught in: lessons 16 and 17
"""

from __future__ import annotations

import dataclasses
import shutil
import time

from torch import Tensor, nn

from .. import checkpoints, distributed, metrics, runtime
from ..data import anomaly
from . import anogan, baselines, egbad, fanogan, ganomaly

METHODS = {"anogan": anogan, "egbad": egbad, "ganomaly": ganomaly, "fanogan": fanogan, "autoencoder": baselines}
CONFIGS = {"anogan": anogan.AnoGANConfig, "egbad": egbad.EGBADConfig, "ganomaly": ganomaly.GANomalyConfig,
           "fanogan": fanogan.FAnoGANConfig, "autoencoder": baselines.AutoencoderConfig}
TEST_TIME = {"anogan": ("G", "D"), "egbad": ("G", "E", "D"), "ganomaly": ("G",), "fanogan": ("G", "D", "E"),
             "autoencoder": ("AE",)}  # the networks a score needs: what a checkpoint keeps
DATASETS = ("digits", "bricks")
TEXTURE_TRAIN, TEXTURE_TEST = 4000, 1000  # patches of the bricks data set (test: half defective)
VARIANTS = {f"{method}-{data}": (method, data) for method in METHODS for data in DATASETS}


def _method(method: str):
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return METHODS[method]


def config(method: str, **changes):
    """The config of ``method`` (its papers' defaults at the course's sizes), with ``changes``."""
    _method(method)
    return dataclasses.replace(CONFIGS[method](), **changes)


def fit(method: str, images: Tensor, *, seed: int = 0, steps: int | None = None, **train_options
        ) -> tuple[dict[str, nn.Module], float]:
    """Train ``method`` on normal ``images`` (on the training device) for ``steps`` (default: its config's; also
    f-AnoGAN's encoder steps); the trained networks and the seconds it took."""
    changes = {} if steps is None else {"steps": steps}
    if method == "fanogan" and steps is not None:
        changes["encoder_steps"] = steps
    start = time.perf_counter()
    nets, _ = _method(method).fit(config(method, **changes), images, seed=seed, **train_options)
    return nets, time.perf_counter() - start


def score(method: str, nets: dict[str, nn.Module], images: Tensor, **options) -> tuple[Tensor, Tensor]:
    """Scores (N,) and residual maps (N, 1, 32, 32) of ``images``, on the CPU; ``options`` go to the method's
    ``score`` (AnoGAN: ``steps``, ``lam``), with the method's :func:`config` unless one is given."""
    if method != "autoencoder":  # (the autoencoder's score has no settings)
        options.setdefault("config", config(method))
    return _method(method).score(nets, images, **options)


def load_data(data: str, split: str, verbose: bool = False):
    """``data``'s training images (``split="train"``: normal only, a Tensor) or test set (an AnomalySet)."""
    if data not in DATASETS:
        raise ValueError(f"data must be one of {DATASETS}, got {data!r}")
    if data == "digits":
        train, test = anomaly.one_class_digits(**anomaly.POST_SPLIT, verbose=verbose)
        return train.images if split == "train" else test
    if split == "train":
        return anomaly.texture_defects("train", TEXTURE_TRAIN).images
    return anomaly.texture_defects("test", TEXTURE_TEST)


def measure(method: str, nets: dict[str, nn.Module], test: anomaly.AnomalySet, **options) -> dict:
    """Image-level AUROC of the scores, pixel-level AUROC of the residual maps (when ``test`` has masks), and
    the milliseconds per image the scoring took (on the networks' device)."""
    start = time.perf_counter()
    scores, maps = score(method, nets, test.images, **options)
    seconds = time.perf_counter() - start
    out = {"image_auroc": metrics.auroc(scores, test.is_anomaly), "ms_per_image": 1000 * seconds / len(test),
           "test_images": len(test)}
    if test.masks is not None:
        out["pixel_auroc"] = metrics.auroc(maps, test.masks)
    return out


def test_time_networks(method: str, nets: dict[str, nn.Module]) -> nn.ModuleDict:
    """The networks a score needs, as one module (what a checkpoint stores)."""
    return nn.ModuleDict({k: nets[k] for k in TEST_TIME[method]})


def load(name: str, device=None, root=checkpoints.ROOT) -> dict[str, nn.Module]:
    """The committed detector ``name`` (a key of :data:`VARIANTS`): its test-time networks, in eval mode."""
    if name not in VARIANTS:
        raise ValueError(f"unknown detector {name!r}; choose one of {sorted(VARIANTS)}")
    method = VARIANTS[name][0]
    nets = test_time_networks(method, METHODS[method].build(config(method)))
    return dict(checkpoints.load_into(nets, name, device, root).items())


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT, limit: int | None = None,
                 verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <method>-<data>``: train on ``data``'s normal images (``epochs`` passes;
    default: the config's steps), store the test-time networks in half precision, :func:`measure` what is stored
    on the test set."""
    if name not in VARIANTS:
        raise ValueError(f"unknown detector {name!r}; choose one of {sorted(VARIANTS)}")
    method, data = VARIANTS[name]
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    images = load_data(data, "train", verbose)[:limit].to(runtime.device())
    per_epoch = max(1, len(images) // config(method).batch_size)
    steps = config(method).steps if epochs is None else epochs * per_epoch
    run_dir = checkpoints.cache_root(cache) / "train" / f"{name}-seed{seed}-steps{steps}-limit{limit}"
    nets, seconds = fit(method, images, seed=seed, steps=steps, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    shutil.rmtree(run_dir, ignore_errors=True)
    test = load_data(data, "test")
    scores = lambda net: {**measure(method, dict(net.items()), test), "steps": steps,  # noqa: E731
                          "train_images": len(images)}
    return checkpoints.save_half(name, test_time_networks(method, nets), scores, seconds,  # epochs None: the
                                 test.source, seed, epochs, limit, root, register, verbose, cache)  # config's steps

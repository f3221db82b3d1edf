"""The recipes behind ``python -m gan_course train <recipe>``, by name.

Each recipe lives with its model (its paper's module in :mod:`gan_course.models`), trains it,
and saves it to the cache's ``checkpoints/<name>.pt`` (``data/cache/`` of a checkout, git-ignored; see
:func:`gan_course.runtime.cache_dir`); only with ``--register`` does it replace the committed
checkpoint in ``gan_course/pretrained/`` (:func:`gan_course.checkpoints.save_trained`), with the exact
command that made it and what was measured on it. A careless run never overwrites
what the lessons load.

    python -m gan_course train mnist-classifier --seed 0 --epochs 40 --register
    python -m gan_course train dcgan --seed 0 --register   # and dcgan-nobn, dcgan-bn-everywhere, dcgan-wgangp
    python -m gan_course train cgan-caption-projection-mismatch --seed 0   # and the others of cgan.VARIANTS
    python -m gan_course train judge-printed --seed 0    # and judge-plain, judge-textured (lesson 12's judges)
    python -m gan_course train cyclegan-digits --seed 0  # and cyclegan.VARIANTS, twingan.VARIANTS
    python -m gan_course train recyclegan-digits --seed 0  # and recyclegan.VARIANTS (moving digits)
    python -m gan_course train faces-identity --seed 0     # then tpgan, tpgan-global, ... (tpgan.VARIANTS)
    python -m gan_course train ganomaly-digits --seed 0    # and detectors.VARIANTS: <method>-<digits|bricks>
    python -m gan_course train pggan --seed 0              # and pggan.VARIANTS (fade-in, abrupt, ablations)
    python -m gan_course train faces-factors --seed 0      # then stylegan-faces and stylegan.VARIANTS

Used by: lessons 06–18 and the StyleGAN lesson (their committed checkpoints)
"""

from __future__ import annotations

import functools

from .models import (cgan, classifier, cyclegan, dcgan, detectors, face_factors, face_identity, infogan, pggan,
                     recyclegan, stylegan, tpgan, twingan)

RECIPES = {"mnist-classifier": classifier.train_recipe,
           **{name: functools.partial(dcgan.train_recipe, name) for name in dcgan.VARIANTS},
           **{name: functools.partial(cgan.train_recipe, name) for name in cgan.VARIANTS},
           **{name: functools.partial(infogan.train_recipe, name) for name in infogan.VARIANTS},
           **{name: functools.partial(classifier.train_judge_recipe, domain)
              for domain, name in classifier.JUDGES.items() if domain != "handwritten"},
           **{name: functools.partial(cyclegan.train_recipe, name) for name in cyclegan.VARIANTS},
           **{name: functools.partial(twingan.train_recipe, name) for name in twingan.VARIANTS},
           **{name: functools.partial(recyclegan.train_recipe, name) for name in recyclegan.VARIANTS},
           face_identity.IDENTITY_NAME: face_identity.train_identity_recipe,
           **{name: functools.partial(tpgan.train_recipe, name) for name in tpgan.VARIANTS},
           **{name: functools.partial(detectors.train_recipe, name) for name in detectors.VARIANTS},
           **{name: functools.partial(pggan.train_recipe, name) for name in pggan.VARIANTS},
           face_factors.FACTORS_NAME: face_factors.train_factors_recipe,
           **{name: functools.partial(stylegan.train_recipe, name) for name in stylegan.VARIANTS}}

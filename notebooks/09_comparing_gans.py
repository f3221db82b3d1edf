# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Comparing GANs: precision and recall, class coverage, and a fair table of four DCGANs
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/09_comparing_gans.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. read improved precision and recall (Kynkäänniemi et al. 2019) as quality and variety, compute them from
#    k-nearest-neighbour balls, and find where the feature space fools them;
# 2. count the classes a generator covers, and say what that count cannot see;
# 3. compare four DCGANs against a real-vs-real baseline in a fair table, and say which of their differences
#    are larger than the noise of sampling.
#
# **Prerequisites.** Lesson 08: the judge (the course's MNIST classifier), the five sets with known flaws, FID and
# the Inception Score. The DCGANs scored in section 4 are lesson 07's; their checkpoints are committed, so this
# lesson runs without it.
#
# **Time.** `smoke`: about 15 s · `cpu`: about 1.5 min on 2 CPU cores · `gpu`: not measured yet (the `gpu`
# profile scores 10,000 samples per set where the data has that many).

# %% [markdown]
# ## Setup
# On Colab the next cell installs the course package from its repository; anywhere else it does nothing
# (run `make lab` once, see the README).

# %%
import importlib.util
import subprocess
import sys

REPO = "gan-course/gan-course"  # the course's GitHub repository: gan_course.runtime.REPO_SLUG (`make set-repo`)
if "google.colab" in sys.modules and importlib.util.find_spec("gan_course") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+https://github.com/{REPO}.git"],
                   check=True)
    importlib.invalidate_caches()

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Circle

import gan_course
from gan_course import checkpoints, data, evaluation, metrics
from gan_course.models import dcgan
from gan_course.viz import images as viz_images

# %% [markdown]
# ## Parameters
# `PROFILE = "auto"` picks `gpu` with CUDA and `cpu` otherwise (`GAN_COURSE_PROFILE` overrides it);
# the sizes are derived in the cell after it.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
DEVICE = gan_course.device()
N_SCORE = P.pick(smoke=300, cpu=4000, gpu=10_000)  # images per scored set (at most the real training digits)
SAMPLE_SEEDS = P.pick(smoke=2, cpu=5, gpu=5)  # sampling seeds per generator for the seed-to-seed spread
N_TOY = P.pick(smoke=200, cpu=500, gpu=500)  # points per set in the 2D precision/recall picture
K = 3  # neighbours of the precision/recall manifolds (Kynkäänniemi et al. 2019)
SPLITS = 10  # Inception Score splits (Salimans et al. 2016)
# The four DCGANs of lesson 07, by the names of their committed checkpoints.
MODELS = {"DCGAN": "dcgan", "DCGAN, no batch norm": "dcgan-nobn", "DCGAN, WGAN-GP": "dcgan-wgangp",
          "DCGAN, batch norm everywhere": "dcgan-bn-everywhere"}

# NumPy's linear algebra (the FID's 256 x 256 eigendecompositions) gains nothing from several threads at
# this size, and on a busy 2-core machine two OpenBLAS threads that wait for each other made it 100x slower.
gan_course.runtime.limit_threads(1, torch_ops=False)

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())
train_digits = data.load_mnist("train")
test_digits = data.load_mnist("test")
N = min(N_SCORE, len(train_digits))
gan_course.record("n_scored", N)
gan_course.record("test_digits", len(test_digits))

# %% [markdown]
# ## 1. The judge and the sets with known flaws, again
# Lesson 08's judge scores every set of this lesson: the committed MNIST classifier (sha256-verified before it is
# loaded), its 256 penultimate features for FID and precision/recall, its class probabilities for the Inception
# Score and class coverage. `evaluation.Scorer` computes the features of the held-out test digits once and scores
# any set of images against them. The five sets of `N` images with known flaws are lesson 08's, made by one
# package function:

# %%
gan_course.show(evaluation.flawed_sets)

# %%
classifier = evaluation.load_classifier(DEVICE)
scorer = evaluation.Scorer(classifier, real=test_digits.images, k=K, splits=SPLITS)
flawed = evaluation.flawed_sets(train_digits, N, seed=SEED)
flawed_scores = {name: scorer.score(images) for name, images in flawed.items()}
for name, scores in flawed_scores.items():
    print(f"{name:<22} {scores}")
gan_course.record("flawed", {name: scores.row() for name, scores in flawed_scores.items()})
viz_images.plot_image_panels({name: images[:64] for name, images in flawed.items()})
plt.show()

# %% [markdown]
# Lesson 08 read the FID and IS columns. This lesson reads the others, then scores four generators with all of
# them.
#
# ## 2. Precision and recall
#
# FID folds quality and variety into one number. In section 1, **half the classes** (perfect digits, half of
# the variety missing) and **blurred** (every kind of digit, none of them sharp) have FIDs within 10% of each
# other (`fid_half_over_blurred`), for opposite flaws. Kynkäänniemi et al. (2019) separate quality and
# variety with $k$-nearest-neighbour manifolds. Around each real feature vector $\phi$ put a ball reaching its
# $k$-th nearest real neighbour; the union of the balls approximates the manifold of real features, and
# likewise for the generated ones:
#
# $$\text{precision} = \frac1{|\Phi_g|}\sum_{\phi \in \Phi_g} \mathbb 1\big[\phi \in \mathrm{manifold}(\Phi_r)\big],
# \qquad \text{recall} = \frac1{|\Phi_r|}\sum_{\phi \in \Phi_r} \mathbb 1\big[\phi \in \mathrm{manifold}(\Phi_g)\big].$$
#
# **Precision** is the share of samples that look real (quality), **recall** the share of real images that
# the generator's samples cover (variety). The paper uses $k = 3$. The package computes them with
# `metrics.precision_recall`; you write your own in section 5. First the two FIDs:

# %%
print(f"half the classes: FID {flawed_scores['half the classes'].fid:.1f}; blurred: FID "
      f"{flawed_scores['blurred'].fid:.1f}")
gan_course.record("fid_half_over_blurred", flawed_scores["half the classes"].fid / flawed_scores["blurred"].fid)

# %% [markdown]
# In two dimensions the balls can be drawn. The data: a ring of 8 Gaussians (std 0.1). Three "generators":
# another sample of the data; one that covers only 4 of the 8 modes; one that covers all 8 but three times
# too wide.

# %%
ring = data.ring_of_gaussians(std=0.1)
gen_toy = torch.Generator().manual_seed(SEED + 1)
toy_real = ring.sample(N_TOY, gen_toy)
toy_sets = {
    "another sample of the data": ring.sample(N_TOY, gen_toy),
    "4 of the 8 modes": data.GaussianMixture(ring.centers, 0.1, weights=[1, 0] * 4).sample(N_TOY, gen_toy),
    "all modes, 3x too wide": data.GaussianMixture(ring.centers, 0.3).sample(N_TOY, gen_toy),
}
toy_scores = {name: metrics.precision_recall(toy_real, fake, k=K) for name, fake in toy_sets.items()}
gan_course.record("toy_precision_recall", {name: dict(precision=precision, recall=recall)
                                            for name, (precision, recall) in toy_scores.items()})

# %%
radii = metrics.knn_radii(toy_real.double(), k=K)  # (N_TOY,): the real balls
fig, axes = plt.subplots(1, 3, figsize=(16, 5.4))
for ax, (name, fake) in zip(axes, toy_sets.items()):
    for centre, radius in zip(toy_real.tolist(), radii.tolist()):
        ax.add_patch(Circle(centre, radius, color="tab:blue", alpha=0.12, lw=0))
    inside = (torch.cdist(fake.double(), toy_real.double()) <= radii[None]).any(1)
    ax.scatter(*toy_real.T, s=3, c="black", label="real")
    ax.scatter(*fake[inside].T, s=6, c="tab:green", label="sample inside the real manifold")
    ax.scatter(*fake[~inside].T, s=6, c="tab:red", label="sample outside")
    precision, recall = toy_scores[name]
    ax.set_title(f"{name}\nprecision {precision:.2f}, recall {recall:.2f}")
    ax.set_aspect("equal")
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.8, 1.8)
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, markerscale=3)
fig.tight_layout(rect=(0, 0.06, 1, 1))
plt.show()

# %% [markdown]
# Blue discs are the real balls ($k = 3$). A second sample of the data scores high on both. The generator that
# dropped half the modes keeps a high precision (its samples are realistic) and loses about half of the
# recall; the one that is too wide keeps the recall and loses precision. One number each for quality and
# variety, as promised.
#
# ### On digits, and where the feature space fools them
# Back to the table of section 1. **Half the classes** behaves as on the ring: precision as high as the real
# set's, recall about half of it. But look at **blurred** and **noise**: their precision is *higher* than the
# real set's, close to 1, while their FIDs are in the hundreds and thousands. Noise looks real?

# %%
for name in ("real", "half the classes", "blurred", "noise"):
    s = flawed_scores[name]
    print(f"{name:<18} precision {s.precision:.3f}   recall {s.recall:.3f}   FID {s.fid:8.1f}")
gan_course.record("half_classes_recall_over_real", flawed_scores["half the classes"].recall
                  / flawed_scores["real"].recall)

# %% [markdown]
# The features are activations after a ReLU, so they are $\ge 0$, and an image in which the classifier
# recognises nothing switches most of them off: its feature vector lies near the origin. Some real digits,
# faint or unusual ones, also have small features and few close neighbours, so their balls are large enough
# to **contain the origin** (radius larger than the distance of their centre from 0). Every near-zero feature
# vector then counts as "on the real manifold". Measured:

# %%
real_radii = metrics.knn_radii(scorer.real_features.double(), k=K)  # one ball per held-out digit
origin_balls = real_radii >= scorer.real_features.double().norm(dim=1)
noise_features = scorer.features_and_probs(flawed["noise"])[0].double()
blurred_features = scorer.features_and_probs(flawed["blurred"])[0].double()
in_origin_balls = lambda f: (torch.cdist(f, scorer.real_features[origin_balls].double())  # noqa: E731
                             <= real_radii[origin_balls][None]).any(1).double().mean().item()
gan_course.record("feature_norm_median", {"real": scorer.real_features.norm(dim=1).median().item(),
                                          "blurred": blurred_features.norm(dim=1).median().item(),
                                          "noise": noise_features.norm(dim=1).median().item()})
gan_course.record("origin_balls", int(origin_balls.sum()))
gan_course.record("noise_in_origin_balls", in_origin_balls(noise_features))
gan_course.record("blurred_in_origin_balls", in_origin_balls(blurred_features))

# %% [markdown]
# A handful of the real balls (`origin_balls`, of 1,000 offline) contain the origin, and they alone hold
# nearly all of the noise images and over a third of the blurred digits (`noise_in_origin_balls`,
# `blurred_in_origin_balls`): the median feature norm of noise is about a tenth of a real digit's, of a
# blurred digit about half. FID is not fooled (a Gaussian fit centred near 0 is far from the real one), the
# k-NN precision is. The cure is a feature space where "nothing recognised" is not a shared point: the same
# layer **before** its ReLU keeps the sign of every activation, and there noise lands far from every real
# digit.

# %%
def pre_relu_features(images: torch.Tensor) -> torch.Tensor:
    """The classifier's penultimate layer without its final ReLU, (N, 256): the Scorer's features are max(0, these)."""
    assert isinstance(classifier.body[-1], torch.nn.ReLU)
    with torch.no_grad():
        return torch.cat([classifier.body[:-1](images[start:start + 1000].to(DEVICE)).cpu()
                          for start in range(0, len(images), 1000)])


reference_pre = pre_relu_features(test_digits.images)


def precision_recall_pre_relu(images: torch.Tensor) -> dict:
    precision, recall = metrics.precision_recall(reference_pre, pre_relu_features(images), k=K)
    return dict(precision=precision, recall=recall)


flawed_pre = {name: precision_recall_pre_relu(images) for name, images in flawed.items()}
gan_course.record("flawed_pre_relu", flawed_pre)
for name, pr in flawed_pre.items():
    s = flawed_scores[name]
    print(f"{name:<22} after the ReLU: precision {s.precision:.3f} recall {s.recall:.3f}   "
          f"before: precision {pr['precision']:.3f} recall {pr['recall']:.3f}")

# %% [markdown]
# Before the ReLU, noise has a precision of 0, the blurred digits a precision below the real set's, and the
# real, half-the-classes and copied sets keep their precision and recall. (The recall of the copies is near 0
# in both spaces: a copy's nearest neighbours are its own copies, so its ball has radius 0.) Kynkäänniemi et al.
# used VGG-16 features of ImageNet photos; the lesson here is general: precision and recall are only as good as
# the feature space, and a set that is obviously bad should be part of every evaluation, as a test of the judge. Section 4 reports both.
#
# ## 3. Class coverage
#
# The classifier can also count: a generator that makes every digit should have about a tenth of its samples
# predicted as each. `evaluation.class_coverage` counts the classes that get at least half of that fair
# share; a generator that collapsed onto a few digits covers few classes.

# %%
gan_course.show(evaluation.class_coverage)

# %%
viz_images.plot_class_shares({name: flawed_scores[name].class_shares
                              for name in ("real", "half the classes", "noise")},
                             title="share of each set predicted as each digit")
plt.show()
gan_course.record("coverage_flawed", {name: s.classes for name, s in flawed_scores.items()})

# %% [markdown]
# Real digits cover all 10 classes, half the classes 5; noise is "predicted" as a few digits (the classifier
# has to name a digit for any input). Class coverage says nothing about quality: the ten copied images cover
# all ten classes.
#
# ## 4. Four DCGANs, scored
#
# Lesson 07 trained four DCGANs on the 4,000 training digits: with batch norm where Radford et al.'s guidelines
# put it, without batch norm, with batch norm everywhere, and the guidelines' generator trained with the
# WGAN-GP objective (Gulrajani et al. 2017). Their checkpoints are committed; each is verified against its
# sha256 before loading. Every row is scored with `N` samples from the same noise seed, against the same
# held-out test digits, with the same classifier, next to the real-vs-real row (`N` training digits): the floor
# that a generator reproducing its training data would reach.

# %%
generators = {name: dcgan.load(variant, device=DEVICE)[0] for name, variant in MODELS.items()}
for name, variant in MODELS.items():
    print(f"{name:<30} {checkpoints.entry(variant)['command']}")
samples = {"real": flawed["real"]}
samples.update({name: evaluation.sample_images(G, N, seed=SEED) for name, G in generators.items()})
viz_images.plot_image_panels({name: images[:64] for name, images in samples.items()})
plt.show()

# %%
table, model_scores = {}, {}
for name, images in samples.items():
    scores = flawed_scores["real"] if name == "real" else scorer.score(images)
    model_scores[name] = scores
    pre = flawed_pre["real"] if name == "real" else precision_recall_pre_relu(images)
    table[name] = {**scores.row(), "precision_pre_relu": pre["precision"], "recall_pre_relu": pre["recall"]}
at_training = {name: checkpoints.entry(variant)["metrics"] for name, variant in MODELS.items()}
gan_course.record("table", table)
gan_course.record("class_shares", {name: s.class_shares for name, s in model_scores.items()})
gan_course.record("at_training", {name: {key: m[key] for key in ("fid", "inception_score", "precision", "recall",
                                                                  "classes", "n")}
                                  for name, m in at_training.items()})

print(f"{'':<30}{'FID':>8}{'IS':>13}{'precision':>11}{'recall':>8}{'classes':>9}"
      f"{'precision*':>12}{'recall*':>9}{'FID at training':>17}")
for name, row in table.items():
    then = at_training.get(name)
    then_fid = f"{then['fid']:.1f} (n={then['n']})" if then else ""
    print(f"{name:<30}{row['fid']:8.1f}{row['inception_score']:8.2f} ± {row['inception_std']:.2f}"
          f"{row['precision']:11.3f}{row['recall']:8.3f}{row['classes']:>6}/10"
          f"{row['precision_pre_relu']:12.3f}{row['recall_pre_relu']:9.3f}{then_fid:>17}")
print(f"(n = {N} images per row; * = on the features before the ReLU, section 2)")

# %% [markdown]
# The column "FID at training" is what the training recipe measured when it registered the checkpoint (4,000
# samples from seed 0, the same Scorer): in the `cpu` profile, where `N` is 4,000 and `SEED` is 0, the two must
# agree, a check that the committed file is the one that was measured. The same table as a picture, the
# dashed line marking the real-vs-real row:

# %%
viz_images.plot_score_bars(table, reference="real")
plt.show()
viz_images.plot_class_shares({name: s.class_shares for name, s in model_scores.items()},
                             title="share of the samples predicted as each digit")
plt.show()

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
points = {name: (row["precision"], row["recall"]) for name, row in table.items()}
points.update({name: (s.precision, s.recall) for name, s in flawed_scores.items() if name != "real"})
viz_images.plot_precision_recall(points, ax=axes[0], title="the Scorer's features (after the ReLU)")
points = {name: (row["precision_pre_relu"], row["recall_pre_relu"]) for name, row in table.items()}
points.update({name: (pr["precision"], pr["recall"]) for name, pr in flawed_pre.items() if name != "real"})
viz_images.plot_precision_recall(points, ax=axes[1], title="the same layer before the ReLU")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### How much of a difference is a difference?
# A score computed from samples changes with the samples. The same DCGAN, sampled from `SAMPLE_SEEDS`
# different noise seeds, `N` images each:

# %%
seed_scores = []
for seed in range(SEED + 1, SEED + 1 + SAMPLE_SEEDS):
    scores = scorer.score(evaluation.sample_images(generators["DCGAN"], N, seed=seed))
    seed_scores.append((scores.fid, scores.inception_score, scores.precision, scores.recall))
seed_fids, seed_is, seed_precision, seed_recall = np.array(seed_scores).T
gan_course.record("dcgan_fid_by_seed", seed_fids)
gan_course.record("dcgan_is_by_seed", seed_is)
fid_spread = gan_course.record("dcgan_fid_seed_std", seed_fids.std(ddof=1))
gan_course.record("dcgan_precision_seed_std", seed_precision.std(ddof=1))
gan_course.record("dcgan_recall_seed_std", seed_recall.std(ddof=1))
print(f"DCGAN over {SAMPLE_SEEDS} sampling seeds: FID {seed_fids.mean():.1f} ± {fid_spread:.2f}, "
      f"IS {seed_is.mean():.2f} ± {seed_is.std(ddof=1):.3f}, precision {seed_precision.mean():.3f} ± "
      f"{seed_precision.std(ddof=1):.3f}, recall {seed_recall.mean():.3f} ± {seed_recall.std(ddof=1):.3f}")

# %% [markdown]
# Differences between rows of the table that are within a few of these standard deviations are noise from
# sampling alone. (Training is noisier still: another training seed gives another generator. Lesson 07
# trains one seed per variant; a paper-grade comparison trains several and reports their spread.)
#
# The verdicts, computed from the table. A column has a leader only if the best row beats the second by more
# than twice the DCGAN's seed-to-seed standard deviation in that column (the spread of one model, taken as the
# spread of all four):

# %%
models = [name for name in table if name != "real"]
by_fid = sorted(models, key=lambda name: table[name]["fid"])
spread = {"fid": fid_spread, "precision": seed_precision.std(ddof=1), "recall": seed_recall.std(ddof=1)}


def lead(column: str) -> dict:
    """The best model in a column, its margin over the second, and whether the margin exceeds 2 spreads."""
    ranked = sorted(models, key=lambda name: table[name][column], reverse=column != "fid")
    margin = abs(table[ranked[0]][column] - table[ranked[1]][column])
    return {"best": ranked[0], "second": ranked[1], "margin": margin, "beyond_noise": margin > 2 * spread[column]}


verdicts = {
    "fid_ranking": by_fid,
    "leads": {column: lead(column) for column in ("fid", "precision", "recall")},
    "dcgan_fid_over_real": table["DCGAN"]["fid"] / table["real"]["fid"],
    "batch_norm_helps": table["DCGAN"]["fid"] < table["DCGAN, no batch norm"]["fid"],
    "every_model_above_real": all(table[name]["fid"] > table["real"]["fid"] for name in models),
}
gan_course.record("verdicts", verdicts)
print(f"FID ranking (best first): {', '.join(by_fid)}")
for column, row in verdicts["leads"].items():
    print(f"best {column}: {row['best']}, ahead of {row['second']} by {row['margin']:.3g} "
          f"(2 spreads: {2 * spread[column]:.3g}) -> "
          f"{'a leader' if row['beyond_noise'] else 'no leader: within the noise of sampling'}")
print(f"the DCGAN's FID is {verdicts['dcgan_fid_over_real']:.1f} times the real-vs-real FID "
      f"({table['DCGAN']['fid']:.1f} vs {table['real']['fid']:.1f}, n = {N})")
print(f"batch norm per the guidelines vs none: FID {table['DCGAN']['fid']:.1f} vs "
      f"{table['DCGAN, no batch norm']['fid']:.1f} -> the guidelines' DCGAN is "
      f"{'closer to' if verdicts['batch_norm_helps'] else 'further from'} the real-vs-real row")

# %% [markdown]
# How to read the table:
# * No generator reaches the real-vs-real row: that FID is what perfect copies of the training digits would
#   score against this reference with this `N`, the floor for the others.
# * The guidelines' DCGAN is closer to the real-vs-real row than the DCGAN without batch norm, by more than
#   the seed-to-seed spread measured above.
# * Where the rankings by FID, precision and recall disagree, the models trade quality (precision) for variety
#   (recall); FID weighs both in one number, the two columns say which of the two a model gives up. In the
#   `cpu` run, batch norm everywhere leads on precision beyond the noise and gives up recall; no model leads on
#   recall: its best two rows (no batch norm, and the guidelines' DCGAN) are within the noise of each other.
# * Read IS together with FID and recall: the **ten images, repeated** of section 1 had an IS as high as real
#   digits. A generator's IS near 10 says its digits are recognisable and balanced, not that they are varied.
# * Precision after the ReLU can be high for images the judge does not recognise at all (section 2); check a
#   high precision against the column before the ReLU and against the samples themselves.
#
# ## 5. Your turn
#
# **a) Precision and recall.** `real` (N, D) and `fake` (M, D) are feature vectors (float64 tensors), `k` the
# number of neighbours. Around each real vector put a ball reaching its $k$-th nearest *other* real vector; do the
# same for the fake vectors. Return `(precision, recall)`: the share of fake vectors inside at least one real ball,
# and the share of real vectors inside at least one fake ball. A vector exactly on a ball's edge is inside.
# `torch.cdist` gives all pairwise distances; `Tensor.kthvalue` the $k$-th smallest of each row.

# %% nbgrader={"grade": false, "grade_id": "precision_recall", "locked": false, "schema_version": 3, "solution": true, "task": false}
def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of fake (M, D) against real (N, D) features."""
    ### BEGIN SOLUTION
    def share_inside(points: torch.Tensor, centres: torch.Tensor) -> float:
        radii = torch.cdist(centres, centres).kthvalue(k + 1, dim=1).values  # (+1: each centre is 0 from itself)
        return (torch.cdist(points, centres) <= radii[None]).any(1).double().mean().item()

    return share_inside(fake, real), share_inside(real, fake)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_precision_recall", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.precision_recall(precision_recall)

# %% [markdown]
# **Open exercise (2 points). Real digits, poor scores.** Every image of the training set is a real digit, of the
# highest possible quality. Pick 1,000 of them (`pick(images, labels)` gets the 4,000 training digits and their
# labels; return 1,000 of the images, unchanged) so that, scored against the held-out digits like the generators of
# section 4, precision stays at least 0.8 (1,000 random training digits score about 0.83) while recall falls to at
# most 0.5. The check prints the FID and the classes too: what does each score say about your set?

# %% nbgrader={"grade": false, "grade_id": "narrow_pick", "locked": false, "schema_version": 3, "solution": true, "task": false}
def pick(images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """1,000 real training digits with high precision and low recall: (1000, 1, 28, 28)."""
    ### BEGIN SOLUTION
    keep = torch.cat([torch.nonzero(labels == digit).squeeze(1)[:250] for digit in (0, 1, 2, 7)])  # 4 classes only
    return images[keep]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_narrow_pick", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.precision_without_recall(pick)

# %% [markdown]
# ## Summary
# * Precision and recall separate quality from variety (on the ring: a generator missing half the modes keeps
#   its precision and loses half its recall). On ReLU features, k-NN precision is fooled by anything the judge
#   does not recognise; before the ReLU it is not.
# * Class coverage counts the digits a generator makes often enough; it says nothing about their quality.
# * The DCGANs' table is only meaningful next to the real-vs-real row, at one $n$, with the spread between
#   sampling seeds. The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}, {r['n_scored']} images per set, reference: {r['test_digits']} held-out test digits")
for name, pr in r["toy_precision_recall"].items():
    print(f"ring, {name}: precision {pr['precision']:.2f}, recall {pr['recall']:.2f}")
print(f"half the classes: {r['half_classes_recall_over_real']:.2f} of the real set's recall; FID "
      f"{r['fid_half_over_blurred']:.2f} times the blurred set's")
print(f"noise: precision {r['flawed']['noise']['precision']:.2f} after the ReLU "
      f"({r['origin_balls']} real balls contain the origin), {r['flawed_pre_relu']['noise']['precision']:.2f} before")
print(f"classes covered: {r['coverage_flawed']}")
for name, row in r["table"].items():
    print(f"    {name:<30} FID {row['fid']:7.1f}  IS {row['inception_score']:.2f}  precision {row['precision']:.3f} "
          f"recall {row['recall']:.3f}  classes {row['classes']}/10")
print(f"DCGAN spread over sampling seeds: FID {r['dcgan_fid_seed_std']:.2f}, precision "
      f"{r['dcgan_precision_seed_std']:.3f}, recall {r['dcgan_recall_seed_std']:.3f}")

# %% [markdown]
# **Next:** lesson 10 conditions the generator on a label or a caption and measures what conditioning changes,
# with the scores of lessons 08 and 09.
#
# **References.** Kynkäänniemi, Karras, Laine, Lehtinen & Aila (2019), *Improved precision and recall metric for
# assessing generative models*, NeurIPS. Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter (2017), *GANs trained
# by a two time-scale update rule converge to a local Nash equilibrium*, NeurIPS (FID). Salimans, Goodfellow,
# Zaremba, Cheung, Radford & Chen (2016), *Improved techniques for training GANs*, NeurIPS (Inception Score).
# Radford, Metz & Chintala (2016), *Unsupervised representation learning with deep convolutional generative
# adversarial networks*, ICLR. Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), *Improved training of
# Wasserstein GANs*, NeurIPS.

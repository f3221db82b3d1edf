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
# # 20 · StyleGAN's latent space: path length, separability and the mapping network
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/20_stylegan_latent_space.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. say why an intermediate latent space W, learned by the mapping network, can be less entangled than the
#    Gaussian Z it comes from, and measure how linearly each known factor of a face can be read from z and from w;
# 2. define the **perceptual path length** (PPL) exactly as the paper does (ε = 1e-4, slerp in Z, lerp in W, full
#    paths or end points), check why it divides by ε², and measure it in Z and in W;
# 3. compute the **linear separability** score (attribute labels, the more confident half, a linear SVM, the
#    conditional entropy) and check its entropy on cases with a known answer;
# 4. read a fair ablation of the mapping network's depth (0, 1, 2, 8 layers over seeds) and judge the claim that a
#    deeper mapping network makes W more separable.
#
# **Prerequisites.** Lesson 19 (StyleGAN's generator, style mixing, truncation), lesson 07 (slerp and why Gaussian
# latents live on a shell), lesson 15 (the procedural faces and their identity network).
#
# **Time.** `smoke`: about 1 minute (half of it the open exercise's check) · `cpu`: about 1.5 minutes on 2 CPU cores ·
# `gpu`: not measured yet.

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
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course
from gan_course import checkpoints, metrics, report
from gan_course.models import face_factors, pggan, stylegan
from gan_course.viz import styles as viz_styles

# %% [markdown]
# ## Parameters
# `PROFILE = "auto"` picks `gpu` with CUDA and `cpu` otherwise (`GAN_COURSE_PROFILE` overrides it);
# the sizes are derived in the cell after it.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
PATHS = P.pick(smoke=100, cpu=2000, gpu=5000)       # paths per path length (the paper: 100,000)
EPS_PATHS = P.pick(smoke=50, cpu=500, gpu=1000)     # paths per ε in the check of section 2
SAMPLES = P.pick(smoke=300, cpu=2000, gpu=5000)     # samples of the linear fits and the separability (paper: 200,000)
SEARCH_PATHS = 1000                                 # paths per evaluation in the reference of exercise 5c (any profile)
STEPS = P.pick(smoke=8, cpu=16, gpu=16)             # frames - 1 along each path of the figure
CURVE_N = P.pick(smoke=200, cpu=1000, gpu=2000)     # samples per ψ of the truncation's cost (lesson 19: 1,000)

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())

# %% [markdown]
# ## 1. Two latent spaces
# StyleGAN's generator (lesson 19) has two latent spaces. **Z** is where sampling starts: $z \sim N(0, I)$, a fixed
# distribution nobody chose for faces. **W** is the mapping network's output, $w = f(z)$, and the synthesis network
# sees only $w$. Karras, Laine and Aila (2019, Section 4) argue as follows. Suppose some combination of factors is
# rare in the training data (say, long hair on a face turned far to the side). Z must still be filled evenly,
# so the map from Z to images has to bend to squeeze that corner out: a factor that changes linearly across the
# images becomes a curved function of $z$. W has no fixed distribution. The mapping network can warp Z so that the
# synthesis network sees the factors along straighter lines, and the adversarial loss rewards that if it makes
# realistic images easier to generate. The paper calls a space where the factors are linear **disentangled**.
#
# The faces of lesson 15 let us test this, because every factor is known: the factor reader of lesson 19
# (`faces-factors`) reads yaw, pitch, light, skin tone, hair darkness, hair length and jaw width from an image. A
# first, plain measurement: draw `SAMPLES` faces from the committed generator, read their factors, and ask how much
# of each factor a *linear* function of $z$, and of $w$, can explain (R² of a least-squares fit).

# %%
G = stylegan.load("stylegan-faces")
config = G.config
factor_net = face_factors.load_factors()
features = stylegan.perceptual_features("faces")   # the identity network's embedding: the stand-in for LPIPS
drawn = stylegan.factor_samples(G, factor_net, SAMPLES, seed=SEED)
r2 = {space: dict(zip(face_factors.FACTORS, stylegan.linear_r2(drawn[space], drawn["factors"]).tolist()))
      for space in ("z", "w")}
gan_course.record("stylegan_factor_r2", {space: {k: round(v, 3) for k, v in row.items()} for space, row in r2.items()})
for space, row in r2.items():
    print(f"R² of a linear fit from {space}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()))
viz_styles.plot_grouped_bars({"from z": list(r2["z"].values()), "from w": list(r2["w"].values())},
                             face_factors.FACTORS, "R² of a linear fit", lines={1.0: "all of it"},
                             title="how much of each factor a linear function of the latent explains")
plt.show()

# %% [markdown]
# In our cpu run every factor is read better from $w$: R² from $z$ 0.08–0.51, from $w$ 0.24–0.87 (light 0.51 →
# 0.87, skin tone 0.31 → 0.84, yaw 0.35 → 0.76). Pitch and hair length stay hard in both (0.24 and 0.35 from $w$).
# A linear fit of the average is a crude view. The paper's two metrics sharpen it. One asks how smoothly images
# change along a path; the other asks whether a hyperplane splits each attribute.
#
# ## 2. Perceptual path length
# Walk from one latent point to another and watch the image. In a well-organised space it changes gradually; in
# an entangled one, features absent at both ends can appear and vanish on the way. The paper measures this
# locally: at a random position $t$ on the path, take a tiny step ε and compare the two images with a perceptual
# distance $d$:
#
# $$l_Z = \mathbb{E}\left[\frac{1}{\varepsilon^2}\, d\big(G(\mathrm{slerp}(z_1, z_2; t)),\; G(\mathrm{slerp}(z_1, z_2; t + \varepsilon))\big)\right],
# \qquad t \sim U(0, 1),\ \varepsilon = 10^{-4},$$
#
# and in W the same with $\mathrm{lerp}(f(z_1), f(z_2); t)$ and the synthesis network $g$ (Eqs. 2 and 3). The two
# images compared are **nearby points of one latent path**, the same generator at the same moment; PPL says
# nothing about how images change over training. "Full" paths draw $t$ uniformly; "end" paths use $t = 0$ only.
# The paper reports both because a straight line between two $w$'s can pass through points that $f$ never
# produces, where $g$ was never trained; at an end point every image comes from a latent that training sampled.
#
# Why slerp in Z: Gaussian $z$'s of 64 numbers all have length close to 8 (lesson 07), so the paper normalises
# them and walks along the sphere; a straight line would pass through the sphere's inside, where no $z$ is ever
# drawn. W has no such shape, so it is walked in straight lines.
#
# **Why divide by ε².** The paper's $d$ is LPIPS, a sum of *squared* feature differences, and so is ours:
# $d(a, b) = \lVert \varphi(a)/\lVert\varphi(a)\rVert - \varphi(b)/\lVert\varphi(b)\rVert \rVert^2$ on the identity network's
# features φ (`metrics.latent.unit_feature_distance`), a stand-in for LPIPS's VGG features that the paper's numbers
# are not on the scale of. For a smooth generator the features move by about $\varepsilon J v$ for a step
# $\varepsilon v$ (J the Jacobian), so $d \approx \varepsilon^2 \lVert J v \rVert^2$ and $d / \varepsilon^2$ does not
# depend on ε once ε is small. A check, on the same `EPS_PATHS` paths at four ε:

# %%
gan_course.show(metrics.perceptual_path_length)
by_eps = {eps: stylegan.path_lengths(G, features, EPS_PATHS, seed=SEED, eps=eps, spaces=("z",))["z"].mean
          for eps in (1e-2, 1e-3, 1e-4, 1e-5)}
gan_course.record("stylegan_ppl_by_eps", {f"{eps:g}": round(v, 3) for eps, v in by_eps.items()})
for eps, value in by_eps.items():
    print(f"ε = {eps:g}: PPL in Z {value:.2f} (÷ the value at ε = 1e-4: {value / by_eps[1e-4]:.3f})")

# %% [markdown]
# In our cpu run: 19.7, 20.8, 21.2 and 21.3 at ε = 1e-2, 1e-3, 1e-4 and 1e-5. From 1e-3 on the value barely
# moves (within 2% of the value at ε = 1e-4, and 0.3% at 1e-5): the quadratic regime. At 1e-2 the step is large
# enough for G's curvature to show (7% lower). The paper's 1e-4 is on the flat part.
#
# Now the measurement itself, in Z and in W, full paths and end points, over the same `PATHS` pairs $z_1, z_2$
# (and one noise draw per pair, the same for both images of a pair):

# %%
gan_course.show(stylegan.path_lengths)
ppl = {sampling: stylegan.path_lengths(G, features, PATHS, seed=SEED, sampling=sampling)
       for sampling in ("full", "end")}
gan_course.record("stylegan_ppl_z", ppl["full"]["z"].mean)
gan_course.record("stylegan_ppl_w", ppl["full"]["w"].mean)
gan_course.record("stylegan_ppl_end", {space: round(ppl["end"][space].mean, 3) for space in ("z", "w")})
for sampling, found in ppl.items():
    print(f"{sampling:>4} paths: PPL in Z {found['z'].mean:.2f}, in W {found['w'].mean:.2f} "
          f"(ratio {found['z'].mean / found['w'].mean:.1f})")
viz_styles.plot_path_lengths({f"Z, {s}": ppl[s]["z"].values for s in ppl} |
                             {f"W, {s}": ppl[s]["w"].values for s in ppl})
plt.show()

# %% [markdown]
# In our cpu run (2,000 paths): in Z 23.6 for full paths and 21.7 at the end points, in W 6.5 and 4.9. Paths in
# W are 3.6 times shorter over the whole path and 4.4 times at the ends. The histogram shows that this is not a
# few outliers: the whole distribution of W's values sits about a factor of 4 to the left of Z's, on a log scale. The paper reports the same
# direction on FFHQ (its Table 3: W's paths much shorter than Z's in the style-based generator); our numbers use
# other features and are not on its scale.
#
# What a long path looks like: four pairs of end points, interpolated in Z and in W with `STEPS` + 1 frames, and
# the distance between neighbouring frames along the way (divided by the squared step, so that it is on the
# scale of the path length's integrand):

# %%
z_ends = torch.randn(2, 4, config.z_dim, generator=torch.Generator().manual_seed(SEED + 2))
profile = stylegan.path_profile(G, features, z_ends[0], z_ends[1], steps=STEPS, seed=SEED)
gan_course.record("stylegan_profile_peak", {space: round(float(profile[space]["d"].max(1).values.mean()), 2)
                                            for space in profile})
viz_styles.plot_path_profiles(profile, shown=0)
plt.show()

# %% [markdown]
# The same end points, two routes. In path 0 of our cpu run the two end faces are much alike, and the W route
# barely changes the face; the Z route dims the light and changes the hair around t = 0.4–0.5 and then brings them
# back. That detour through features neither end has is what the paper's path length was built to catch. The
# curves show it for all four paths: every solid (Z) curve lies above its dashed (W) partner for most of t, and
# the highest step of each Z path averaged 44 against 8.9 for its W path.
#
# ## 3. Linear separability
# PPL asks about smoothness; separability asks whether each factor lies on one side of a hyperplane. The paper's
# protocol (Section 4.2), with our known factors in place of its 40 CelebA attribute classifiers:
# 1. draw samples, generate their images, and let the attribute classifier label each image (here: each factor the
#    reader sees, split at the middle of its range, e.g. yaw left or right);
# 2. keep the more confident half for each attribute (the labels farthest from the split);
# 3. fit a linear SVM that predicts the label from the latent point (z or w);
# 4. score with the conditional entropy $H(Y \mid X)$ of the classifier's label $Y$ given the SVM's side $X$: how much
#    is still unknown about the attribute once you know on which side of the hyperplane the point lies;
# 5. report $\exp\left(\sum_{\text{attributes}} H(Y \mid X)\right)$; lower is more separable.
#
# $H(Y \mid X) = -\sum_x p(x) \sum_y p(y \mid x) \log p(y \mid x)$, in nats: 0 when the hyperplane tells the label
# exactly, $\log 2 \approx 0.693$ when it tells nothing about balanced labels. A check on synthetic latents (8
# Gaussian numbers, 2,000 samples) where the answer is known: a label that is the sign of a linear function, a label
# that is a coin flip, and a label that depends on the latent but not linearly (inside or outside a sphere):

# %%
gan_course.show(metrics.separability)
gen = torch.Generator().manual_seed(SEED + 3)
x_toy = torch.randn(2000, 8, generator=gen)
direction = torch.randn(8, generator=gen)
labels = {"linear: sign of a · x": (x_toy @ direction > 0).long(),
          "a coin flip": torch.randint(0, 2, (2000,), generator=gen),
          "inside or outside the sphere |x| = √8": (x_toy.norm(dim=1) > 8 ** 0.5).long()}
confidence = {"linear: sign of a · x": (x_toy @ direction).abs(),
              "a coin flip": torch.rand(2000, generator=gen),
              "inside or outside the sphere |x| = √8": (x_toy.norm(dim=1) - 8 ** 0.5).abs()}
toy = {name: metrics.separability(x_toy, labels[name], confidence[name], seed=SEED).entropy for name in labels}
gan_course.record("stylegan_toy_entropy", {k: round(v, 4) for k, v in toy.items()})
for name, h in toy.items():
    print(f"{name:>38}: H(Y | X) = {h:.3f} nats")

# %% [markdown]
# A hyperplane splits the linear label exactly (0.000); the coin flip keeps its full log 2 (0.690); the sphere,
# which the latent decides completely but not linearly, stays near log 2 (0.639, even with the half nearest the
# sphere dropped). Separability measures linearity, not information. One more caution: with few samples any labels
# are separable. The smoke profile keeps 150 samples per attribute in 64 dimensions, and there a hyperplane splits
# almost every factor in Z too; the paper used 200,000 samples in 512 dimensions.
#
# On the generator, with the `SAMPLES` faces drawn in section 1:

# %%
gan_course.show(stylegan.separabilities)
separable = stylegan.separabilities(G, factor_net, seed=SEED, drawn=drawn)
gan_course.record("stylegan_separability_z", separable["z"]["score"])
gan_course.record("stylegan_separability_w", separable["w"]["score"])
gan_course.record("stylegan_separability_entropy", {space: separable[space]["entropy"] for space in separable})
for space in ("z", "w"):
    print(f"in {space.upper()}: exp(Σ H) = {separable[space]['score']:.2f}; H per factor: "
          + ", ".join(f"{k} {v:.2f}" for k, v in separable[space]["entropy"].items()))
viz_styles.plot_grouped_bars({f"in {s.upper()}": list(separable[s]["entropy"].values()) for s in ("z", "w")},
                             face_factors.FACTORS, "H(Y | X), nats", lines={math.log(2): "log 2: nothing known"},
                             title="what a hyperplane leaves unknown about each factor (lower: more separable)")
plt.show()

# %% [markdown]
# In our cpu run: exp(Σ H) 21.2 in Z against 3.2 in W. In W five of the seven factors are split almost exactly
# (yaw, light, skin tone, hair darkness: H ≤ 0.01; jaw width 0.20); pitch (0.54) and hair length (0.42) are not,
# the same two that a linear fit found hardest in section 1. In Z every factor keeps 0.27–0.65 nats unknown. On this
# model, with this judge, W is the more disentangled space by both metrics.
#
# ## 4. What the mapping network's depth buys
# One generator cannot show what *causes* W's advantage. The paper's Table 4 varies the mapping network's depth
# and reports that deeper mapping networks give better FID, and better separability of W. The same ablation
# here: 0, 1, 2 and 8 mapping layers (0: $w$ is the normalised $z$ itself), everything
# else the committed recipe's, the same budget for each (`benchmarks/styles.py`; 1,500 generator steps, half
# the committed model's, to fit three seeds of four depths on a laptop), three seeds each, scored exactly as above
# (4,000 samples for FID, precision, recall and people; 2,000 paths; 2,000 samples for separability). Twelve
# trainings of 12–16 minutes each, two at once on two cores, are more than a class has, so the runs are kept with
# the package, with the command that made them, and shown here (mean ± standard error over the seeds):

# %%
depth_table = checkpoints.measured("stylegan_mapping_depth")
print(depth_table["command"], f"({depth_table['date']}, {depth_table['machine']})\n")
print(report.spread_table(depth_table, {
    "fid": "FID", "precision": "precision", "recall": "recall", "classes": "people", "ppl_z": "PPL Z",
    "ppl_w": "PPL W", "separability_z": "separability Z", "separability_w": "separability W"}, first="mapping"))
gan_course.record("stylegan_mapping_depth_table", depth_table["rows"])

# %% [markdown]
# What held at this scale, and what did not:
# - **A deeper mapping network makes W more linearly separable: held.** exp(Σ H) in W falls with every added
#   layer, 4.3 → 2.7 → 1.9 → 1.5, beyond the spread between 0 and 2 or more layers (and between 1 and 8: a
#   difference of 1.1 ± 0.4). Per factor, what the depth buys is yaw, pitch, light and hair length: with 8 layers
#   their mean H(Y | X) in W is 0.04, 0.10, 0.00 and 0.20 nats, without a mapping network 0.25, 0.44, 0.08 and 0.36.
# - **Z and W part ways with depth.** Without a mapping network the two spaces are one (separability 4.3 in both,
#   path lengths 4.4 and 3.8, slerp against lerp); with 8 layers Z becomes far more entangled (separability 9.8,
#   paths 16.4) while W becomes less. The gap of sections 2 and 3 is made by the mapping network, as the paper
#   argues: it warps Z so that W does not have to be.
# - **Shorter paths in W with depth: not shown.** PPL in W is 3.1–4.1 at every depth, within the spread.
# - **Better FID with depth: not at this budget.** One layer scores best (74 ± 6, the only depth with all three
#   seeds under 81); 8 layers spread from 69 to 184 over the seeds. The committed 8-layer model reached 59 with twice
#   the steps, so the deep mapping network, learning 100 times more slowly, may simply need the longer run; this
#   table cannot say. Without a mapping network recall is highest (0.33) and precision lowest (0.002): more variety,
#   fewer convincing faces.
#
# Three seeds at half the committed budget: FID differences under about 50 are not settled here; the separability
# ordering is the robust finding.
#
# ## 5. Your turn
#
# **a) Slerp.** Write `slerp(a, b, t)` for rows of latents `a`, `b` (N, d) and positions `t` (N,): normalise `a`
# and `b` to unit length, and return the unit vector at angle $t\theta$ from $\hat a$ towards $\hat b$ on their great
# circle, θ the angle between them:
# $\mathrm{slerp}(a, b; t) = \frac{\sin((1-t)\theta)}{\sin\theta}\hat a + \frac{\sin(t\theta)}{\sin\theta}\hat b$. Keep it
# finite when $a$ and $b$ point the same way, and let $t$ slightly beyond 1 (the $t + \varepsilon$ of a path's end)
# continue the arc.

# %% nbgrader={"grade": false, "grade_id": "slerp", "locked": false, "schema_version": 3, "solution": true, "task": false}
def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation of the directions of a and b, row by row, at positions t."""
    ### BEGIN SOLUTION
    a, b = a / a.norm(dim=1, keepdim=True), b / b.norm(dim=1, keepdim=True)
    cos = (a * b).sum(1, keepdim=True).clamp(-1, 1)
    angle = t[:, None] * torch.arccos(cos)                       # t·θ
    c = b - cos * a                                              # the direction from a towards b, orthogonal to a
    c = c / c.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return a * torch.cos(angle) + c * torch.sin(angle)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_slerp", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.slerp(slerp)

# %% [markdown]
# **b) The conditional entropy.** Write `conditional_entropy(y, x)` for two 1D integer numpy arrays of 0s and 1s:
# $H(Y \mid X)$ in nats from their frequencies (skip terms with probability 0).

# %% nbgrader={"grade": false, "grade_id": "conditional_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conditional_entropy(y: np.ndarray, x: np.ndarray) -> float:
    """H(Y | X) = -Σ_x p(x) Σ_y p(y | x) log p(y | x), in nats."""
    ### BEGIN SOLUTION
    h = 0.0
    for side in (0, 1):
        inside = y[x == side]                                    # the labels on one side of the hyperplane
        for label in (0, 1):
            p = float(np.mean(inside == label)) if len(inside) else 0.0
            if p > 0:                                            # 0 · log 0 counts as 0
                h -= len(inside) / len(y) * p * math.log(p)
    return h
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_conditional_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.conditional_entropy(conditional_entropy)

# %% [markdown]
# **c) Open exercise (3 points). Short paths without a mapping network?** A sceptic says: "W's paths are shorter
# only because W is narrower. Truncate Z and its paths shrink too." Truncation (lesson 19) pulls every image's $w$
# towards $\bar w$, and the path length in Z falls with ψ. Test the sceptic: write `matching_psi(G, features)`, which
# returns the ψ at which the path length in Z, of images truncated by ψ, equals the path length in W without
# truncation. Use `stylegan.path_lengths(G, features, n, seed=..., psi=..., spaces=("z",))` (and `spaces=("w",)` at
# ψ = 1) to measure; each call on 1,000 paths takes a few seconds. The check measures PPL in Z at your ψ and PPL in
# W at ψ = 1 on 1,000 fresh paths and needs them within 25% of each other (two draws of 1,000 paths differ by up to
# about 10%, so aim for the middle).

# %% nbgrader={"grade": false, "grade_id": "matching_psi", "locked": false, "schema_version": 3, "solution": true, "task": false}
def matching_psi(G, features) -> float:
    """The truncation ψ at which PPL in Z (truncated) equals PPL in W (untruncated)."""
    ### BEGIN SOLUTION
    # PPL in Z falls smoothly with ψ: measure it at three ψ on the same paths, interpolate log PPL, solve. Paths in
    # Z vary a lot from one to the next: with 300 paths the answer moved by 0.06 between two draws, with 1,000 by 0.035 over three.
    target = stylegan.path_lengths(G, features, SEARCH_PATHS, seed=7, spaces=("w",))["w"].mean
    psis = [0.35, 0.45, 0.55]
    lengths = [stylegan.path_lengths(G, features, SEARCH_PATHS, seed=7, psi=psi, spaces=("z",))["z"].mean
               for psi in psis]
    return float(np.interp(math.log(target), np.log(lengths), psis))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_matching_psi", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.matching_psi(matching_psi)

# %% [markdown]
# The reference answer lands near ψ = 0.4. What truncation costs there, measured as in lesson 19 (`CURVE_N`
# samples per ψ, the same latents and noise):

# %%
face_judge = pggan.scorer(dataset="faces")
cost = stylegan.truncation_curve(G, face_judge, "faces", psis=(0.4, 1.0), n=CURVE_N, seed=SEED)
gan_course.record("stylegan_truncation_cost", cost)
for row in cost:
    print(f"ψ {row['psi']}: FID {row['fid']:.1f}, precision {row['precision']:.3f}, recall {row['recall']:.3f}, "
          f"people {row['classes']}")

# %% [markdown]
# In our cpu run: at ψ = 0.4 the FID is 175 instead of 61, recall 0.012 instead of 0.149, and 36 of the 200 people
# appear instead of 93 (1,000 samples each). The sceptic can have paths in Z as short as W's, but only by giving up
# most of the diversity. The mapping network gets short paths at ψ = 1.
#
# ## Summary
# * Z is a fixed Gaussian; W is learned. On the committed face generator every known factor is read more linearly
#   from $w$ than from $z$, and both of the paper's metrics agree.
# * The perceptual path length compares images at two nearby points of one latent path, ε = 1e-4 apart (slerp in
#   Z, lerp in W), divided by ε² because the distance is squared; checked flat from ε = 1e-3 to 1e-5.
# * Linear separability is a conditional entropy after a linear SVM: 0 for a hyperplane, log 2 for nothing, and
#   near log 2 for labels that are informative but not linear.
# * Over three seeds, every mapping layer added made W more separable (exp(Σ H) 4.3, 2.7, 1.9, 1.5 for 0, 1, 2, 8
#   layers) and Z less; the paper's better FID with depth did not show at half the committed budget.
# * Truncating Z until its paths are as short as W's takes ψ ≈ 0.4 and most of the diversity.
# * The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"PPL in Z {r['stylegan_ppl_z']:.2f}, in W {r['stylegan_ppl_w']:.2f}; separability exp(Σ H) in Z "
      f"{r['stylegan_separability_z']:.2f}, in W {r['stylegan_separability_w']:.2f}")

# %% [markdown]
# **References.** Karras, Laine & Aila (2019), *A style-based generator architecture for generative adversarial
# networks*, CVPR (Section 4 and Figure 6: why W can be disentangled; Section 4.1, Eqs. 2–3 and Table 3: perceptual
# path length; Section 4.2 and Table 4: linear separability and the mapping network's depth). Zhang et al. (2018),
# *The unreasonable effectiveness of deep features as a perceptual metric* (LPIPS). Shoemake (1985), *Animating
# rotation with quaternion curves* (slerp).

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
# # 19 · StyleGAN: styles, noise, mixing and truncation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/19_stylegan.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. draw StyleGAN's generator: a mapping network from z to w, a synthesis network that starts from a learned
#    constant, a style (y_s, y_b) = A(w) and a noise image at every layer;
# 2. derive what adaptive instance normalisation (AdaIN) does to a feature map, check it, and say with a
#    measurement why its statistics are each image's own, not the batch's;
# 3. read a style-mixing grid and measure which known factors of a face (pose, light, the person) follow the
#    coarse, middle and fine styles;
# 4. find where the noise inputs act, and trade quality for diversity with the truncation trick, as a curve.
#
# **Prerequisites.** Lesson 18 (PGGAN: its discriminator, equalised learning rate, pixel norm), lessons 08–09
# (FID, precision and recall), lesson 15 (the procedural faces and their identity network). Lesson 20 measures
# StyleGAN's latent space (path length, linear separability, the mapping network's depth).
#
# **Time.** `smoke`: about 25 s · `cpu`: about 2 minutes on 2 CPU cores · `gpu`: not measured yet.

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
import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

import gan_course
from gan_course import checkpoints, report, viz
from gan_course.layers import EqualizedConv2d, EqualizedLinear, relative_adam_steps
from gan_course.layers import adain as adain_reference
from gan_course.models import face_factors, pggan, stylegan
from gan_course.viz import images as viz_images
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
SCORE_N = P.pick(smoke=500, cpu=4000, gpu=4000)       # samples of the scores (lessons 09 and 18: 4,000)
CURVE_N = P.pick(smoke=300, cpu=1000, gpu=2000)       # samples per point of the truncation curve
MIX_PAIRS = P.pick(smoke=100, cpu=1000, gpu=2000)     # source pairs of the style-mixing measurement
NOISE_DRAWS = P.pick(smoke=20, cpu=100, gpu=100)      # noise draws per fixed w (the issue: 100)
REGRESSION_N = P.pick(smoke=500, cpu=3000, gpu=3000)  # samples of the regression direction (section 8c)
N_W = 8                                               # fixed w's shown in the noise figure

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())

# %% [markdown]
# ## 1. A generator that is told a style at every layer
# PGGAN's generator (lesson 18) takes the latent z at its input and nowhere else: whatever z means must be
# carried, layer by layer, through every convolution. Karras, Laine and Aila (2019) change only the generator,
# in three steps.
#
# 1. **A mapping network** $f$ of 8 fully connected layers turns $z \sim N(0, I)$ into an intermediate latent
#    $w = f(z)$ of the same size. Its layers learn 100 times more slowly than the rest (a learning-rate multiplier
#    of 0.01).
# 2. **The synthesis network** $g$ starts from a **learned constant** 4 × 4 tensor, the same for every image, and
#    at every layer a learned affine map $A$ turns $w$ into a **style** $y = (y_s, y_b)$, one scale and one bias per
#    feature map, which AdaIN (section 2) imposes on the features.
# 3. **Noise inputs**: at every layer, an image of independent N(0, 1) pixels, scaled per feature map by learned
#    weights $B$, is added to the features. The noise, not $w$, is left to place the details that vary at random
#    (section 5).
#
# Here at course size: $z$ and $w$ have 64 numbers (the paper: 512), the synthesis network has two styled layers
# at each of 4, 8, 16 and 32 pixels, **eight styles** in all (the paper: 18, up to 1024 pixels), and the
# discriminator is PGGAN's. One styled layer, and the synthesis network:

# %%
gan_course.show(stylegan.StyledLayer.forward)
gan_course.show(stylegan.SynthesisNetwork.forward)

# %% [markdown]
# Training is at 32 × 32 from the start, not grown: lesson 18 measured that at this scale a fixed-size PGGAN
# reached a better FID than a grown one in the same time. The loss is the non-saturating logistic loss with the R1
# penalty $\frac{\gamma}{2}E_x\big[\lVert\nabla_x D(x)\rVert^2\big]$ on real images, with $\gamma = 0.0002 \cdot
# 32^2 / 32 = 0.0064$ (the heuristic of Karras et al. 2020 for 32 × 32 images and batch 32; the paper's
# $\gamma = 10$ is for 1024 × 1024), Adam with β = (0, 0.99) at 0.002, and the images shown come from a moving
# average of G's weights. The committed model, `stylegan-faces`, trained for 3,000 steps of 32 images on the
# 4,000 training views of lesson 15's procedural faces (200 people, yaw within ±75°, pitch within ±10°, light
# within ±60°). Its parts, counted:

# %%
G = stylegan.load("stylegan-faces")
config = G.config
count = lambda params: sum(p.numel() for p in params)  # noqa: E731
affine = count(p for layer in G.synthesis.layers for p in layer.adain.parameters())
sizes = {"mapping network f": count(G.mapping.parameters()),
         "learned constant": G.synthesis.const.numel(),
         "affine maps A (w -> styles)": affine,
         "convolutions, noise weights B, biases, toRGB": count(G.synthesis.parameters()) - affine
                                                         - G.synthesis.const.numel()}
gan_course.record("stylegan_parameters", sizes)
for name, n in sizes.items():
    print(f"{name:<46}{n:>9,}")
print(f"{'styles per image (one w per styled layer)':<46}{config.num_ws:>9}")

# %% [markdown]
# The learning-rate multiplier is the equalised learning rate of lesson 18 turned one step further: each mapping
# weight is stored as $N(0, 1/0.01^2)$ and multiplied by $0.01$ times He's constant at run time, so that Adam's step,
# about the same size for every stored weight, moves the mapping network's effective weights 100 times less than
# the synthesis network's. One Adam step on a fresh generator, the step of each layer's effective weights relative
# to their size (`gan_course.layers.relative_adam_steps`, lesson 18's measurement):

# %%
torch.manual_seed(SEED)
fresh = stylegan.Generator(config)
equalised = {name: m for name, m in fresh.named_modules()           # the mapping layers and the convolutions
             if isinstance(m, (EqualizedLinear, EqualizedConv2d)) and "adain" not in name}
steps = relative_adam_steps(fresh, equalised, lambda net: net(torch.randn(32, config.z_dim)).square().mean(),
                            lr=config.lr, betas=config.betas)
mapping_steps = [v for k, v in steps.items() if k.startswith("mapping")]
synthesis_steps = [v for k, v in steps.items() if k.startswith("synthesis")]
step_ratio = (sum(mapping_steps) / len(mapping_steps)) / (sum(synthesis_steps) / len(synthesis_steps))
gan_course.record("stylegan_mapping_step_ratio", step_ratio)
print(f"relative step, mapping layers:   {min(mapping_steps):.5f} … {max(mapping_steps):.5f}")
print(f"relative step, synthesis convs:  {min(synthesis_steps):.5f} … {max(synthesis_steps):.5f}")
print(f"mapping / synthesis: {step_ratio:.4f} (the multiplier: 0.01)")

# %% [markdown]
# ## 2. Adaptive instance normalisation
# At every styled layer the features $x$ (one map $x_c$ per channel $c$) are normalised **per image and per
# channel** and then given the style:
#
# $$\mathrm{AdaIN}(x_c, y) = y_{s,c}\,\frac{x_c - \mu(x_c)}{\sigma(x_c)} + y_{b,c},$$
#
# with $\mu(x_c)$ and $\sigma(x_c)$ the mean and standard deviation of that one map over its pixels (the paper's
# Eq. 1). Two consequences follow from the formula. **The style sets the statistics:** after AdaIN, map $c$ has
# mean exactly $y_{b,c}$ and standard deviation $y_{s,c}$ (up to the small ε under the square root), whatever
# came in. **The incoming statistics are erased:** multiply a map by any positive $a$ and add any $b$, and the
# output is unchanged, because $(ax_c + b - \mu(ax_c + b))/\sigma(ax_c + b) = (x_c - \mu(x_c))/\sigma(x_c)$. So a
# style acts on one convolution only: the next AdaIN overrides it, and each style can control its own layer's
# features without the earlier layers' styles leaking through as a scale. Both, checked on the committed model's
# features at the 8-pixel layer:

# %%
with torch.no_grad():
    z = torch.randn(15, config.z_dim, generator=torch.Generator().manual_seed(SEED))
    ws = G.broadcast(G.mapping(z))
    x_all = G.synthesis.const.expand(15, -1, -1, -1)
    for i in range(3):                                  # through the first three styled layers
        x_all = G.synthesis.layers[i](x_all, ws[:, i])
    layer = G.synthesis.layers[3]                       # the second at 8 px: its features before AdaIN
    x_all = layer.unstyled(x_all)                       # (15, 64, 8, 8)
    y_s_all, y_b_all = layer.adain.scale(ws[:, 3]), layer.adain.bias(ws[:, 3])
    x, y_s, y_b = x_all[:8], y_s_all[:8], y_b_all[:8]   # a batch of 8 images
    out = adain_reference(x, y_s, y_b)
    a = torch.rand(8, x.shape[1], 1, 1) * 5 + 0.1
    b = torch.randn(8, x.shape[1], 1, 1) * 3
    adain_checks = {
        "mean of each output map minus y_b": (out.mean((2, 3)) - y_b).abs().max().item(),
        "std of each output map minus |y_s|": (out.std((2, 3), unbiased=False) - y_s.abs()).abs().max().item(),
        "output change when the input is a·x + b": (adain_reference(a * x + b, y_s, y_b) - out).abs().max().item()}
gan_course.record("stylegan_adain_checks", adain_checks)
for name, value in adain_checks.items():
    print(f"{name:<44}{value:.2e}")

# %% [markdown]
# Why each image's own statistics, and not the batch's as in DCGAN's batch norm (lesson 06)? With batch
# statistics, $\mu$ and $\sigma$ would be shared by every image in the batch, so one image's output would depend on
# which other images happen to be drawn beside it: its style would not be its own. The same features of image 0,
# once in a batch with seven companions and once with seven others, normalised both ways:

# %%
def batch_stat_adain(x, y_s, y_b, eps=1e-8):
    """AdaIN with the batch's statistics per channel (batch norm's), for comparison only."""
    mean, var = x.mean((0, 2, 3), keepdim=True), x.var((0, 2, 3), keepdim=True, unbiased=False)
    return y_s[:, :, None, None] * (x - mean) / (var + eps).sqrt() + y_b[:, :, None, None]


with torch.no_grad():
    other = [0] + list(range(8, 15))                    # image 0 again, with the seven images 8-14 as companions
    x_other, y_s_other, y_b_other = x_all[other], y_s_all[other], y_b_all[other]
    companions = {
        "instance statistics (AdaIN)":
            (adain_reference(x_other, y_s_other, y_b_other)[0] - out[0]).abs().max().item(),
        "batch statistics":
            (batch_stat_adain(x_other, y_s_other, y_b_other)[0] - batch_stat_adain(x, y_s, y_b)[0]).abs().max().item(),
        "size of image 0's output (largest |value|)": out[0].abs().max().item()}
gan_course.record("stylegan_companion_change", companions)
for name in ("instance statistics (AdaIN)", "batch statistics"):
    print(f"{name:<28} image 0's output changes by {companions[name]:.3g} with other companions "
          f"(its largest value: {companions[next(reversed(companions))]:.3g})")

# %% [markdown]
# ## 3. The trained model
# 4,000 samples of the committed generator beside 4,000 real training views, judged as in lesson 18 by lesson 15's
# identity network (the FID of its 128-number embedding, precision, recall, and how many of the 200 people appear
# against the 4,000 test views), and beside PGGAN trained by lesson 18's recipe on the same faces:

# %%
face_judge = pggan.scorer(dataset="faces")
crop = pggan.JUDGE_CROP["faces"]
train_views, _ = pggan.training_images("faces")
real = train_views[torch.randperm(len(train_views), generator=torch.Generator().manual_seed(SEED))[:SCORE_N]]
fakes = stylegan.samples(G, SCORE_N, seed=SEED + 1)
grown = pggan.samples(pggan.load("pggan-faces"), SCORE_N, seed=SEED + 1)
scores = {"real training views": face_judge.score(real),
          "StyleGAN (stylegan-faces)": face_judge.score(pggan.full_size(fakes, crop=crop)),
          "PGGAN (pggan-faces)": face_judge.score(pggan.full_size(grown, crop=crop))}
for name, s in scores.items():
    print(f"{name:>26}: {s}")
gan_course.record("stylegan_fid", scores["StyleGAN (stylegan-faces)"].fid)
gan_course.record("stylegan_people", scores["StyleGAN (stylegan-faces)"].classes)
gan_course.record("stylegan_pggan_faces_fid", scores["PGGAN (pggan-faces)"].fid)
gan_course.record("stylegan_faces_scores", {name: s.row() for name, s in scores.items()})
viz_images.plot_image_panels({"real training views": real[:48], "StyleGAN": fakes[:48],
                              "PGGAN (lesson 18)": pggan.full_size(grown[:48])}, nrow=8)
plt.show()

# %% [markdown]
# In our cpu run (seed 0): StyleGAN's FID 59.7 against PGGAN's 119.1, precision 0.026 against 0.011, recall 0.078
# against 0.058, and 94 of the 200 people recognised against PGGAN's 102, both trained on about the same number of
# images (96,000 and 89,600). One seed of each, PGGAN growing and StyleGAN not: a demonstration, not a fair
# comparison (the next section compares them on MNIST at matched compute over seeds). Both are far from the real views
# (FID 0.6, precision 0.93): the identity network, trained to tell 200 people apart, finds almost no sample among
# a person's close neighbours
# (precision 0.03). The samples are heads in every pose and light, blurrier than the renders.
#
# ### On digits, at matched compute
# The same recipe on MNIST (padded to 32 × 32), against lesson 06's DCGAN and lesson 18's PGGAN trained at 32 × 32
# from the start (at 1e-2, the rate its sweep chose), each given the same number of floating-point operations:
# 30 TFLOP, counted by `gan_course.speed.count_flops` (one step costs DCGAN 9.9, PGGAN 23.8 and StyleGAN 20.0
# GFLOP, so 3,046, 1,263 and 1,500 steps). Nine trainings of 10–16 minutes do not fit in a class, so the runs
# (`benchmarks/mnist_models.py`) are kept with the package and shown here, scored by lesson 09's MNIST judge:

# %%
mnist_table = checkpoints.measured("stylegan_mnist_matched_compute")
print(mnist_table["command"], f"({mnist_table['date']})\n")
print(report.spread_table(mnist_table, {"fid": "FID", "precision": "precision", "recall": "recall",
                                        "classes": "digits of 10"}, first="model"))
gan_course.record("stylegan_mnist_table", mnist_table["rows"])

# %% [markdown]
# **StyleGAN as built here does not learn digits.** Every seed collapsed onto one or two digit shapes (recall 0.000,
# precision 0.90–1.00: the few shapes it draws are convincing), while DCGAN and PGGAN drew 8–10 digits with recall
# 0.51–0.78. DCGAN, the smallest network, is best at this budget (FID 216 ± 11 against PGGAN's 301 ± 20). The
# faces train and the digits do not: pilots (`benchmarks/RESULTS.md`) ruled out R1's weight, the learning rate
# (5e-4 to 1e-2), the mapping network, the noise, style mixing, the upsampling and the constant input; only
# removing the styles' modulation moved a run towards lesson 18's generator. Why, we have not found, and say so: an
# architecture that works on one data set is not thereby shown to work on another. (DCGAN ran at the paper's rate,
# not swept here; PGGAN's rate was swept, StyleGAN's piloted.)
#
# ## 4. Style mixing: which styles carry what
# Because each style acts on its own layers, two latents can share one image: the layers up to a **crossover**
# take their style from $w_A$, the layers after it from $w_B$. This is not swapping parts of a vector: every layer
# still gets one whole $w$, and the mix only switches which $w$ feeds the layers after the crossover. Training does
# this on 90% of the batches (**style mixing regularisation**), so that the network cannot assume that neighbouring
# layers' styles agree. The paper's Figure 3, at course size: A with the **coarse** styles (the 4- and 8-pixel
# layers, four styles), the **middle** ones (16 pixels, two) or the **fine** ones (32 pixels, two) taken from B:

# %%
groups = stylegan.layer_groups(config)
print({name: layers for name, layers in groups.items()})
z_a = torch.randn(6, config.z_dim, generator=torch.Generator().manual_seed(SEED + 10))
z_b = torch.randn(3, config.z_dim, generator=torch.Generator().manual_seed(SEED + 11))
every = list(range(config.num_ws))
sources_a = stylegan.mixed(G, z_a, z_a, every, seed=SEED)
sources_b = stylegan.mixed(G, z_b, z_b, every, seed=SEED)
grid = {name: torch.stack([stylegan.mixed(G, z_a, z_b[i:i + 1].expand_as(z_a), layers, seed=SEED)
                           for i in range(len(z_b))]) for name, layers in groups.items()}
viz_styles.plot_mixing_grid(sources_a.clamp(-1, 1), sources_b.clamp(-1, 1),
                            {name: images.clamp(-1, 1) for name, images in grid.items()})
plt.show()

# %% [markdown]
# The grid invites a reading ("B's coarse styles bring its pose"); a measurement settles it. The faces' factors are
# known when they are rendered, and a network trained on the real views reads them back from any image
# (`face_factors`, R² 0.82–0.99 per factor on new views). For `MIX_PAIRS` pairs (A, B) and each group, we fit every
# factor of the mixed image as $\alpha\cdot\text{A's} + \beta\cdot\text{B's}$ + const and report
# $\beta / (\alpha + \beta)$: 0 when the factor stays A's, 1 when it follows B.

# %%
factors = face_factors.load_factors()
read = lambda images: face_factors.predict_factors(factors, images)  # noqa: E731
shares = stylegan.mixing_shares(G, read, n=MIX_PAIRS, seed=SEED)
gan_course.record("stylegan_mixing_shares", {group: dict(zip(face_factors.FACTORS, [round(v, 3) for v in s.tolist()]))
                                             for group, s in shares.items()})
print(f"{'factor':<15}" + "".join(f"{'B ' + group:>12}" for group in shares))
for k, name in enumerate(face_factors.FACTORS):
    print(f"{name:<15}" + "".join(f"{s[k].item():>12.2f}" for s in shares.values()))
viz_styles.plot_follows(shares, face_factors.FACTORS)
plt.show()

# %% [markdown]
# Measured (cpu run, 1,000 pairs): B's **coarse** styles carry the pose, yaw 1.07 and pitch 0.88, most of the light
# (0.78) and the face's shape, jaw width 0.77 and hair length 0.69; B's **middle** styles carry about half of the
# hair's darkness (0.50) and little else; B's **fine** styles carry the skin tone (0.81) and nothing of the pose
# (yaw 0.01). That is the paper's reading of its Figure 3 (coarse styles: pose, face shape; middle: hair style,
# eyes; fine: colour scheme) on faces whose factors we know, except that here the light sits with the coarse
# styles: at 32 pixels the shading of a head is a large-scale pattern. No factor is split cleanly; hair darkness
# is spread over all three groups (0.27, 0.50, 0.22).
#
# ## 5. Noise: where stochastic variation lives
# Fix $w$ and draw the noise images again and again: whatever changes is what the noise controls. The per-pixel
# standard deviation over `NOISE_DRAWS` draws, for eight fixed $w$'s, with the noise in every layer, in the coarse
# layers only (4–8 pixels) and in the fine layers only (16–32 pixels; the others get zero noise images):

# %%
coarse_layers = [i for i in every if config.layer_resolution(i) <= 8]
fine_layers = [i for i in every if config.layer_resolution(i) > 8]
noise_maps = {"noise everywhere": stylegan.noise_std(G, N_W, NOISE_DRAWS, seed=SEED),
              "coarse noise only": stylegan.noise_std(G, N_W, NOISE_DRAWS, seed=SEED, layers=coarse_layers),
              "fine noise only": stylegan.noise_std(G, N_W, NOISE_DRAWS, seed=SEED, layers=fine_layers)}
with torch.no_grad():
    fixed = G.synthesis(G.broadcast(G.mapping(torch.randn(N_W, config.z_dim,
                                                          generator=torch.Generator().manual_seed(SEED)))))
noise_means = {name: maps.mean().item() for name, maps in noise_maps.items()}
gan_course.record("stylegan_noise_std", noise_means)
for name, value in noise_means.items():
    print(f"{name:<20} mean per-pixel standard deviation {value:.4f} (pixels in [-1, 1])")
viz_styles.plot_noise_maps(fixed.clamp(-1, 1), noise_maps)
plt.show()

# %% [markdown]
# The noise changes almost nothing but the eyes: with it in every layer, a pixel varies by 0.016 on average (on a
# scale of −1 to 1), and nearly all of that comes from the fine layers (0.016 with fine noise only, 0.002 with
# coarse noise only). Pose, shape and light stay put under any draw; the pupils and the glint move. This is the
# paper's Figure 4 in miniature: the noise carries the details whose placement is random (there, hair strands and
# freckles), and coarse noise could only move large structures, which G has learned to take from $w$ instead.
#
# ## 6. The truncation trick
# Samples from the thinly populated edges of the latent distribution are the ones G learned worst. The **truncation
# trick** pulls each $w$ towards the average $\bar w$, which training tracks as a moving average of the batches'
# $w$ (β = 0.995):
#
# $$w' = \bar w + \psi\,(w - \bar w), \qquad 0 \le \psi \le 1.$$
#
# It shrinks every distance from $\bar w$, and every distance between two $w$'s, by the factor ψ: it does **not**
# keep distances. Quality (precision) should rise and diversity (recall) fall as ψ goes from 1 to 0, where every
# image is drawn from $\bar w$ alone. First the distances, then the trade as a curve (`CURVE_N` samples per ψ, the
# same latents and noise at every ψ):

# %%
with torch.no_grad():
    w_pairs = G.broadcast(G.mapping(torch.randn(200, config.z_dim, generator=torch.Generator().manual_seed(SEED))))
    before = torch.cdist(w_pairs[:, 0], w_pairs[:, 0]).sum()
    shrink = {psi: (torch.cdist(G.truncate(w_pairs, psi)[:, 0], G.truncate(w_pairs, psi)[:, 0]).sum() / before).item()
              for psi in (0.25, 0.5, 0.75)}
gan_course.record("stylegan_truncation_distance_ratio", shrink)
print("mean distance between two w's after truncation / before:",
      ", ".join(f"ψ {psi}: {ratio:.4f}" for psi, ratio in shrink.items()))
curve = stylegan.truncation_curve(G, face_judge, "faces", psis=(0.0, 0.25, 0.5, 0.7, 0.85, 1.0), n=CURVE_N,
                                  seed=SEED)
gan_course.record("stylegan_truncation_curve", curve)
real_row = face_judge.score(real[:CURVE_N])
for row in curve:
    print(f"ψ {row['psi']:<5} FID {row['fid']:7.1f}  precision {row['precision']:.3f}  recall {row['recall']:.3f}  "
          f"people {row['classes']}")
viz_styles.plot_truncation_curve(curve, reference={"fid": real_row.fid, "precision": real_row.precision,
                                                   "recall": real_row.recall})
plt.show()
viz_images.plot_image_rows({f"ψ = {psi}": stylegan.samples(G, 10, seed=SEED + 3, psi=psi).clamp(-1, 1)
                            for psi in (0.0, 0.5, 0.7, 1.0)})
plt.show()

# %% [markdown]
# Distances shrink by exactly ψ (ratios 0.2500, 0.5000, 0.7500): truncation keeps the order of the samples but
# not their distances. The curve (cpu run, 1,000 samples per ψ; recall depends on the number of samples, so these
# are not section 3's figures of 4,000): recall falls from 0.149 at ψ = 1 to 0.056 at 0.7
# and 0 at 0, and the people recognised from 93 to 72 and 5; the FID rises from 60.6 to 93.8 and 369. The quality
# that truncation should buy does not show in this judge's precision: 0.020 at ψ = 1, 0.027 at 0.7 (a difference
# of 7 samples in 1,000), 0.024 at 0.5 and 0 at 0. The identity network asks for a close neighbour among the real
# views of some person, and the average face at ψ = 0 (top row) is no one's; the paper's gain in quality was judged
# by eye on 1024-pixel faces. At this scale truncation buys diversity's loss for no measured gain.
#
# ## 7. Try it: two seeds, a crossover, a ψ
# Pick the seeds of A and B, the layer from which on B's $w$ takes over (0: all of B, 8: none), and ψ (applied to
# both). The figure just below is the panel's starting point, drawn once without the widget:

# %%
def mix_seeds(seed_a: int, seed_b: int, crossover: int, psi: float):
    """A, B, and A whose layers from ``crossover`` on take B's w, all truncated by ψ, with the same noise."""
    with torch.no_grad():
        zs = [torch.randn(1, config.z_dim, generator=torch.Generator().manual_seed(s)) for s in (seed_a, seed_b)]
        ws_a, ws_b = (G.truncate(G.broadcast(G.mapping(z)), psi) for z in zs)
        noise = stylegan.shared_noise(config, 1, generator=torch.Generator().manual_seed(SEED))
        images = [G.synthesis(ws, noise)[0].clamp(-1, 1) for ws in (ws_a, ws_b, G.mix(ws_a, ws_b, crossover))]
    return viz_styles.plot_style_mix(*images, crossover=crossover, num_ws=config.num_ws, psi=psi)


mix_seeds(1, 2, 4, 0.7)
plt.show()
viz.slider_panel(mix_seeds,
                 seed_a=widgets.IntSlider(1, 0, 99, description="seed of A", continuous_update=False),
                 seed_b=widgets.IntSlider(2, 0, 99, description="seed of B", continuous_update=False),
                 crossover=widgets.IntSlider(4, 0, config.num_ws, description="crossover", continuous_update=False),
                 psi=widgets.FloatSlider(0.7, min=-0.5, max=1.5, step=0.05, description="ψ", continuous_update=False))

# %% [markdown]
# ## 8. Your turn
#
# **a) AdaIN.** Write `adain(x, y_s, y_b)` for features `x` (B, C, H, W) and styles `y_s`, `y_b` (B, C): each map
# normalised by its own mean and standard deviation over its pixels (the population's, `unbiased=False`, with
# 1e-8 added to the variance under the square root), then scaled by `y_s` and shifted by `y_b`.

# %% nbgrader={"grade": false, "grade_id": "adain", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adain(x: torch.Tensor, y_s: torch.Tensor, y_b: torch.Tensor) -> torch.Tensor:
    """AdaIN(x, y) = y_s · (x − μ(x)) / σ(x) + y_b, statistics per sample and channel."""
    ### BEGIN SOLUTION
    mean = x.mean(dim=(2, 3), keepdim=True)
    std = (x.var(dim=(2, 3), keepdim=True, unbiased=False) + 1e-8).sqrt()
    return y_s[:, :, None, None] * (x - mean) / std + y_b[:, :, None, None]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_adain", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.adain(adain)

# %% [markdown]
# **b) Truncation.** Write `truncate(ws, w_avg, psi, layers)`: `ws` holds one $w$ per layer, (N, L, w_dim);
# return $\bar w + \psi(w - \bar w)$ for the first `layers` of them (all when `layers` is None; the paper truncates
# only the coarse layers in some figures) and the others unchanged, without modifying `ws` itself.

# %% nbgrader={"grade": false, "grade_id": "truncate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def truncate(ws: torch.Tensor, w_avg: torch.Tensor, psi: float, layers: int | None = None) -> torch.Tensor:
    """The truncation trick on the first ``layers`` w's (None: all)."""
    ### BEGIN SOLUTION
    cut = ws.shape[1] if layers is None else layers
    out = ws.clone()
    out[:, :cut] = w_avg + psi * (ws[:, :cut] - w_avg)
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_truncate", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.truncate(truncate)

# %% [markdown]
# **c) Open exercise (3 points). Turn the head, and nothing else.** Style mixing moves whole groups of factors at
# once. A finer edit is a direction $d$ in W: move $w$ to $w + d$ and the face should turn, the person and the light
# staying as they were. The obvious recipe regresses the yaw that the factor reader sees on $w$, over many samples,
# and solves for the direction that changes the predicted yaw and none of the other predicted factors. Here it is,
# measured by `gan_course.checks.lesson19.turned` exactly as the check measures your answer: images at $w + d$
# against $w - d$ for 300 fresh $w$'s, the mean turn read in degrees, and for every other factor the mean change and
# the mean |change| in standard deviations of that factor. For scale: real renders of the same people turned by
# 40° read as 0.07–0.35 standard deviations of |change| in the other factors (the reader's own error) and a mean
# change of at most 0.01.

# %%
gan_course.show(gan_course.checks.lesson19.regression_direction)
G_turn, factor_net = gan_course.checks.lesson19.turn_setup()
d_regression = gan_course.checks.lesson19.regression_direction(G_turn, factor_net, REGRESSION_N, seed=SEED + 5)
regression_turn = gan_course.checks.lesson19.turned(G_turn, factor_net, d_regression)
gan_course.record("stylegan_regression_turn", regression_turn)
print(f"turn {regression_turn['turn']:.1f} degrees (predicted 40), |d| {regression_turn['length']:.2f} of the spread")
for name in regression_turn["mean_change"]:
    print(f"  {name:<14} mean change {regression_turn['mean_change'][name]:+.2f}, mean |change| "
          f"{regression_turn['abs_change'][name]:.2f}")
with torch.no_grad():
    w_show = G_turn.mapping(torch.randn(8, config.z_dim, generator=torch.Generator().manual_seed(SEED + 6)))
    noise_show = stylegan.shared_noise(config, 8, generator=torch.Generator().manual_seed(SEED))
    rows = {label: G_turn.synthesis(G_turn.broadcast(w_show + sign * d_regression), noise_show).clamp(-1, 1)
            for label, sign in (("w − d", -1.0), ("w", 0.0), ("w + d", 1.0))}
viz_images.plot_image_rows(rows, title="the regression direction")
plt.show()

# %% [markdown]
# In our cpu runs the regression direction turned the head by about 26° where it promised 40, and moved the rest:
# pitch by 1.1 standard deviations in mean |change|, hair length by 0.8 (mean about −0.44: the hair shrinks as the
# head turns), skin tone by about −0.35 on average. A linear fit of what the reader sees on $w$ describes the average sample,
# not what a step does to each image, and the reader's yaw is a curved function of $w$.
#
# Write `turn_direction(G, factors)`: a direction in W (a tensor of 64 numbers) found with the committed generator
# `G` and the factor reader `factors` (`factors(images)` gives the 7 factors in their units, differentiably;
# `factors.std` their standard deviations over the training views). The check moves 300 fresh $w$'s it draws
# itself and requires a turn of at least 30° from $w - d$ to $w + d$, every other factor's mean change within 0.2
# and mean |change| within 0.6 standard deviations, and $|d|$ within the mean distance of a sample's $w$ from
# $\bar w$. Keep it under about a minute on a CPU.

# %% nbgrader={"grade": false, "grade_id": "turn_direction", "locked": false, "schema_version": 3, "solution": true, "task": false}
def turn_direction(G, factors) -> torch.Tensor:
    """A direction d in W: the face at w + d looks further to positive yaw than at w - d, the rest unchanged."""
    ### BEGIN SOLUTION
    # G and the reader are differentiable: optimise d itself, for the turn wanted and for no change in the other
    # factors, on fresh batches of w (a regression fits the reader's average response; this fits the images).
    gen = torch.Generator().manual_seed(0)
    d = torch.zeros(G.config.w_dim, requires_grad=True)
    opt = torch.optim.Adam([d], lr=0.03)
    for _ in range(40):
        w = G.mapping(torch.randn(32, G.config.z_dim, generator=gen)).detach()
        read = factors(G.synthesis(G.broadcast(torch.cat([w + d, w - d]))).clamp(-1, 1))
        change = (read[:32] - read[32:]) / factors.std                       # in standard deviations per factor
        loss = (change[:, 0].mean() - 45 / factors.std[0]) ** 2 + 2 * change[:, 1:].pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return d.detach()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_turn_direction", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.turn_direction(turn_direction)

# %% [markdown]
# ## Summary
# * StyleGAN's generator maps z to w with an 8-layer network (learning 100 times more slowly), starts from a
#   learned constant, and sets every layer's statistics from w by AdaIN; noise images add the random details.
# * AdaIN's statistics are each image's own: the output sets each map's mean and spread to the style and forgets
#   the input's (checked to float rounding), and no image depends on its batch companions.
# * The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"StyleGAN on the faces: FID {r['stylegan_fid']:.1f} (PGGAN's recipe: {r['stylegan_pggan_faces_fid']:.1f}), "
      f"{r['stylegan_people']} of 200 people; noise std everywhere / coarse / fine: "
      + " / ".join(f"{v:.4f}" for v in r["stylegan_noise_std"].values()))

# %% [markdown]
# **Next:** lesson 20 measures what the mapping network buys: perceptual path length and linear separability in
# Z and in W, and a mapping network of 0, 1, 2 and 8 layers.
#
# **References.** Karras, Laine & Aila (2019), *A style-based generator architecture for generative adversarial
# networks*, CVPR (Section 2: the mapping network, AdaIN (Eq. 1), the constant input, Figure 1; Section 3.1, Figure 3
# and Table 2: style mixing; Section 3.2 and Figure 4: stochastic variation, the noise; Appendix B: the truncation
# trick in W; Appendix C: the learning-rate multiplier of 0.01). Huang & Belongie (2017), *Arbitrary style transfer in real-time
# with adaptive instance normalization* (AdaIN). Mescheder, Geiger & Nowozin (2018), *Which training methods for
# GANs do actually converge?* (R1). Karras et al. (2020), *Training generative adversarial networks with limited
# data*, Appendix B.1 (the γ heuristic).

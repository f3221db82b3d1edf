"""InfoGAN (Chen, Duan, Houthooft, Schulman, Sutskever & Abbeel 2016): codes that a GAN gives a meaning by itself.

G gets noise z and a latent code c, here the paper's MNIST setup: one categorical code c1 ~ Cat(10) and two
continuous codes c2, c3 ~ U(-1, 1). Nothing says what the codes should mean; InfoGAN asks that they stay
readable in the image, that the mutual information I(c; G(z, c)) be high:

    min_{G, Q} max_D  V(D, G) - lambda L_I(G, Q)

where L_I is a variational lower bound on the mutual information (Lemma 5.1 of the paper; KL >= 0 gives it):

    I(c; G(z, c)) >= E_{c ~ p(c), x ~ G(z, c)}[log Q(c | x)] + H(c) = L_I(G, Q)

Q(c|x) is a small head on D's features (the two share their convolutions): 10 logits for c1, and a Gaussian of
unit variance around a predicted mean for each continuous code, so that -log Q is a cross-entropy for c1 and
half a squared error (plus a constant) for c2, c3. For c1 the bound is at most H(c1) = log 10, reached when Q
reads every code back without error.

As in the authors' trainer, the information term enters both losses: D and Q minimise it together with D's
loss (so D's convolutions learn to read the codes), and G minimises it with its own. The paper's weights are
lambda = 1 for the categorical code and smaller for the continuous ones (0.1 here); its learning rates 2e-4 for
D and Q and 1e-3 for G.

Taught in: lesson 11
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, distributed, losses, runtime, train
from ..train import Step
from .dcgan import DCGANDiscriminator, DCGANGenerator, IMAGE_SHAPE, init_weights


@dataclass(frozen=True)
class InfoGANConfig:
    """The paper's MNIST setup (Chen et al. 2016, Appendix C.1), on the DCGAN networks of lesson 06."""

    z_dim: int = 62                   # incompressible noise
    n_categories: int = 10            # c1 ~ Cat(10)
    n_continuous: int = 2             # c2, c3 ~ U(-1, 1)
    lambda_categorical: float = 1.0   # weight of the categorical code's information term for G
    lambda_continuous: float = 0.1    # ... and of the continuous codes'
    width: int = 32
    d_lr: float = 2e-4                # D and Q
    g_lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 64
    epochs: int = 50                  # passes over the 4,000 training digits, in generator steps

    @property
    def code_dim(self) -> int:
        return self.n_categories + self.n_continuous


class InfoGANGenerator(nn.Module):
    """G: noise z (B, z_dim) and codes (one-hot c1 (B, 10), c2..c3 (B, 2)) -> image (B, 1, 28, 28)."""

    def __init__(self, config: InfoGANConfig = InfoGANConfig()):
        super().__init__()
        self.config, self.z_dim = config, config.z_dim
        self.net = DCGANGenerator(z_dim=config.z_dim + config.code_dim, width=config.width)

    def forward(self, z: Tensor, categorical: Tensor, continuous: Tensor) -> Tensor:
        c = self.config
        if z.shape[1:] != (c.z_dim,) or categorical.dim() != 1 or continuous.shape[1:] != (c.n_continuous,) \
                or not len(z) == len(categorical) == len(continuous):
            raise ValueError(f"G expects z (B, {c.z_dim}), categorical codes (B,) and continuous codes "
                             f"(B, {c.n_continuous}), got {tuple(z.shape)}, {tuple(categorical.shape)} and "
                             f"{tuple(continuous.shape)}")
        one_hot = F.one_hot(categorical, c.n_categories).to(z.dtype)            # (B, 10)
        return self.net(torch.cat([z, one_hot, continuous], dim=1))           # (B, 62 + 12) -> (B, 1, 28, 28)

    def sample_codes(self, n: int, device=None, generator: torch.Generator | None = None
                     ) -> tuple[Tensor, Tensor, Tensor]:
        """z ~ N(0, I), c1 ~ Cat(10) uniform, c2..c3 ~ U(-1, 1) for ``n`` samples."""
        device = device or next(self.parameters()).device
        c = self.config
        z = torch.randn(n, c.z_dim, generator=generator).to(device)
        categorical = torch.randint(0, c.n_categories, (n,), generator=generator).to(device)
        continuous = (torch.rand(n, c.n_continuous, generator=generator) * 2 - 1).to(device)
        return z, categorical, continuous


class InfoGANDiscriminator(nn.Module):
    """D: image (B, 1, 28, 28) -> logit (B,), through features (B, 4w * 16) that Q reads too."""

    def __init__(self, config: InfoGANConfig = InfoGANConfig()):
        super().__init__()
        self.trunk = nn.Sequential(DCGANDiscriminator(width=config.width).net[:-1], nn.Flatten())  # (B, 4w * 16)
        self.n_features = 4 * config.width * 16
        self.head = nn.Linear(self.n_features, 1)

    def features(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"D expects images of shape (B, 1, 28, 28), got {tuple(x.shape)}")
        return self.trunk(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).flatten()


class QHead(nn.Module):
    """Q(c | x) from D's features: logits for c1 (B, 10) and means for c2..c3 (B, 2), unit variance."""

    def __init__(self, n_features: int, config: InfoGANConfig = InfoGANConfig(), hidden: int = 128):
        super().__init__()
        self.config = config
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, config.code_dim))

    def forward(self, features: Tensor) -> tuple[Tensor, Tensor]:
        out = self.net(features)
        return out[:, :self.config.n_categories], out[:, self.config.n_categories:]


def information_terms(q_logits: Tensor, q_means: Tensor, categorical: Tensor, continuous: Tensor
                      ) -> tuple[Tensor, Tensor]:
    """-E[log Q(c1|x)] (a cross-entropy, nats) and -E[log Q(c2, c3|x)] up to its constant (half a squared error
    summed over the codes): the two parts of -L_I without H(c)."""
    categorical_term = F.cross_entropy(q_logits, categorical)
    continuous_term = 0.5 * ((continuous - q_means) ** 2).sum(1).mean()
    return categorical_term, continuous_term


def build(config: InfoGANConfig = InfoGANConfig()) -> tuple[InfoGANGenerator, InfoGANDiscriminator, QHead]:
    """A freshly initialised G, D and Q head (DCGAN's N(0, 0.02²) for the convolutions)."""
    G, D = InfoGANGenerator(config), InfoGANDiscriminator(config)
    G.apply(init_weights)
    D.apply(init_weights)
    return G, D, QHead(D.n_features, config)


class InfoGANStep(Step):
    """Algorithm 1 plus the information term, on batches of real images (B, 1, 28, 28), as the authors train it.

    ``d_step``: D and the Q head descend ``-V(D, G) + lambda * (-L_I)`` together (one optimizer): D's shared
    convolutions learn to tell real from fake *and* to read the codes of the fakes. ``g_step``: G descends
    ``-log D(G(z, c)) + lambda * (-L_I)`` through a frozen D and Q. With ``lambda = 0`` (the control) nothing
    trains Q, and G gets no reason to keep the codes readable. The losses recorded include ``mi_bound``, the
    categorical code's bound ``log 10 - cross-entropy`` on the batch of G's step (at most H(c1) = log 10).
    """

    networks = ("G", "D", "Q")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, G: InfoGANGenerator, D: InfoGANDiscriminator, Q: QHead, config: InfoGANConfig):
        self.G, self.D, self.Q, self.config = G, D, Q, config
        self.d_opt = torch.optim.Adam([*D.parameters(), *Q.parameters()], lr=config.d_lr, betas=config.betas)
        self.g_opt = torch.optim.Adam(G.parameters(), lr=config.g_lr, betas=config.betas)

    def information(self, features: Tensor, categorical: Tensor, continuous: Tensor) -> tuple[Tensor, Tensor]:
        """``lambda * (-L_I)`` without H(c) (the weighted information terms) and the categorical cross-entropy."""
        c = self.config
        cat_term, cont_term = information_terms(*self.Q(features), categorical, continuous)
        return c.lambda_categorical * cat_term + c.lambda_continuous * cont_term, cat_term

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        z, categorical, continuous = self.G.sample_codes(len(real), real.device)
        with torch.no_grad():
            fake = self.G(z, categorical, continuous)
        features = self.D.features(fake)
        adversarial = losses.minimax_d_loss(self.D(real), self.D.head(features).flatten())  # -V(D, G) on the batch
        information, _ = self.information(features, categorical, continuous)
        loss = adversarial + information
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": adversarial.detach()}

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        z, categorical, continuous = self.G.sample_codes(len(real), real.device)
        self.D.requires_grad_(False)
        self.Q.requires_grad_(False)
        try:
            features = self.D.features(self.G(z, categorical, continuous))
            adversarial = losses.nonsaturating_g_loss(self.D.head(features).flatten())   # -log D(G(z, c))
            information, cat_term = self.information(features, categorical, continuous)
            self.g_opt.zero_grad(set_to_none=True)
            (adversarial + information).backward()                                     # V - lambda L_I
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
            self.Q.requires_grad_(True)
        return {"g_loss": adversarial.detach(), "info_categorical": cat_term.detach(),
                "mi_bound": (math.log(self.config.n_categories) - cat_term).detach()}


@torch.no_grad()
def categorical_code_accuracy(G: InfoGANGenerator, classifier: nn.Module, per_code: int = 100, seed: int = 0
                              ) -> tuple[float, list[int], Tensor]:
    """How well the categorical code names digits: ``per_code`` samples for each value of c1 (fresh z, c2, c3),
    classified by the judge; the best one-to-one matching of code values to digits (the Hungarian algorithm on
    the counts) and the share of samples it gets right.

    Returns:
        (accuracy, digit of each code value, counts (code value, predicted digit) (10, 10)).
    """
    from ..evaluation import best_matching, classify, confusion

    c = G.config
    gen = torch.Generator().manual_seed(seed)
    n = per_code * c.n_categories
    z, _, continuous = G.sample_codes(n, generator=gen)
    categorical = torch.arange(c.n_categories).repeat_interleave(per_code)
    was_training = G.training
    G.eval()
    device = next(G.parameters()).device
    images = torch.cat([G(z[i:i + 500].to(device), categorical[i:i + 500].to(device),
                          continuous[i:i + 500].to(device)).cpu() for i in range(0, n, 500)])
    G.train(was_training)
    predicted, _ = classify(classifier, images)
    counts = confusion(categorical, predicted, n_classes=c.n_categories)
    accuracy, mapping = best_matching(counts)
    return accuracy, mapping, counts


@torch.no_grad()
def sweep_code(G: InfoGANGenerator, code: int, values: Tensor, per_value: int = 50, seed: int = 0) -> Tensor:
    """Samples with one continuous code swept: ``per_value`` fixed draws of (z, c1, the other codes), each
    decoded with continuous code ``code`` set to every one of ``values`` (which may leave the training range
    [-1, 1], as in the paper's figures). Returns (len(values), per_value, 1, 28, 28), on the CPU."""
    c = G.config
    if code not in range(c.n_continuous):
        raise ValueError(f"code must be one of the {c.n_continuous} continuous codes 0..{c.n_continuous - 1}, got "
                         f"{code!r}")
    values = torch.as_tensor(values, dtype=torch.float32).flatten()
    z, categorical, continuous = G.sample_codes(per_value, device="cpu", generator=torch.Generator().manual_seed(seed))
    device = next(G.parameters()).device
    was_training = G.training
    G.eval()
    rows = []
    for value in values.tolist():
        swept = continuous.clone()
        swept[:, code] = value
        rows.append(G(z.to(device), categorical.to(device), swept.to(device)).cpu())
    G.train(was_training)
    return torch.stack(rows)  # (V, per_value, 1, 28, 28)


def code_correlations(G: InfoGANGenerator, values=(-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2), per_value: int = 50,
                      seed: int = 0) -> dict[str, dict[str, float]]:
    """For each continuous code and each measured property (slant and stroke width, :mod:`gan_course.data.captions`),
    the Spearman correlation between the code's value and the property along each sample's sweep, averaged over
    the ``per_value`` samples: +1 or -1 when the code alone turns that property up or down."""
    from scipy.stats import spearmanr

    from ..data import captions

    out = {}
    for code in range(G.config.n_continuous):
        sweep = sweep_code(G, code, torch.tensor(values), per_value, seed)            # (V, n, 1, 28, 28)
        n_values = sweep.shape[0]
        flat = sweep.flatten(0, 1)
        measured = {"slant": captions.slant(flat), "thickness": captions.stroke_width(flat)}
        out[f"c{code + 2}"] = {}
        for name, values_measured in measured.items():
            columns = values_measured.reshape(n_values, per_value).T.numpy()         # (n, V): one sweep per row
            rhos = [spearmanr(values, column).statistic for column in columns
                    if len(set(column.round(6).tolist())) > 1]  # a sweep that changes nothing has no rank order
            out[f"c{code + 2}"][name] = float(sum(rhos) / len(rhos)) if rhos else 0.0
    return out


def measure(G: InfoGANGenerator, classifier: nn.Module, seed: int = 0) -> dict:
    """What the training recipe and ``benchmarks/infogan_seeds.py`` record of a generator: the categorical code's
    accuracy and code-to-digit matching (100 samples per value, :func:`categorical_code_accuracy`) and the
    continuous codes' correlations with slant and stroke width (:func:`code_correlations`)."""
    accuracy, mapping, _ = categorical_code_accuracy(G, classifier, per_code=100, seed=seed)
    return {"code_accuracy": accuracy, "code_to_digit": mapping, "code_correlations": code_correlations(G)}


# --------------------------------------------------------------------------- the lesson's two InfoGANs

VARIANTS: dict[str, InfoGANConfig] = {
    "infogan": InfoGANConfig(),
    "infogan-no-info": InfoGANConfig(lambda_categorical=0.0, lambda_continuous=0.0),  # the control: lambda = 0
}
CURVE_EVERY = 25  # generator steps between the points of the stored information curve


def variant(name: str) -> InfoGANConfig:
    """The configuration of the InfoGAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown InfoGAN {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def fit(config: InfoGANConfig, digits, steps: int, *, seed: int = 0, **train_options
        ) -> tuple[InfoGANGenerator, InfoGANDiscriminator, QHead, train.History]:
    """Train an InfoGAN of ``config`` on ``digits`` for ``steps`` generator steps, seeded with ``seed``.
    Returns G, D and Q in eval mode and the run's history (with the ``mi_bound`` of every step)."""
    runtime.seed_everything(seed)
    device = digits.images.device
    G, D, Q = (net.to(device) for net in build(config))
    history = train.train(InfoGANStep(G, D, Q, config), digits.batches(config.batch_size, seed=seed), steps,
                          **train_options)
    return G.eval(), D.eval(), Q.eval(), history


def load(name: str, device=None, root=checkpoints.ROOT) -> tuple[InfoGANGenerator, dict]:
    """The committed (sha256-verified) generator of ``name`` in eval mode, and what its recipe stored beside it
    (``{"mi_bound": [...], "curve_every": 25}``: the information bound during training)."""
    config = variant(name)
    state = checkpoints.load(name, root=root)
    G = InfoGANGenerator(dataclasses.replace(config, width=state["width"]))
    G.load_state_dict({k: v.float() for k, v in state["G"].items()})
    return G.to(device or "cpu").eval(), {"mi_bound": state["mi_bound"], "curve_every": state["curve_every"]}


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one InfoGAN of :data:`VARIANTS` on MNIST's train split, store
    its generator in half precision with its information curve, and measure the stored generator: the
    categorical code's accuracy as digits (:func:`categorical_code_accuracy`) and the continuous codes'
    correlations with slant and stroke width (:func:`code_correlations`). Resumable like the other recipes.

    Raises:
        ValueError: for an unknown variant, or ``epochs`` or ``limit`` that are not integers >= 1.
    """
    from .. import data, evaluation

    config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    config = dataclasses.replace(config, epochs=config.epochs if epochs is None else epochs)
    digits = data.load_mnist("train", verbose=verbose)
    if limit is not None:
        digits = data.DigitData(digits.images[:limit], digits.labels[:limit], digits.source)
    digits = digits.to(runtime.device())
    steps = config.epochs * max(1, len(digits) // config.batch_size)
    run_name = f"{name}-seed{seed}-epochs{config.epochs}" + (f"-limit{limit}" if limit is not None else "")
    run_dir = checkpoints.cache_root(cache) / "train" / run_name
    G, _, _, history = fit(config, digits, steps, seed=seed, checkpoint_dir=run_dir, checkpoint_every=500,
                           progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    bound = history.losses["mi_bound"]
    curve = [round(sum(bound[i:i + CURVE_EVERY]) / len(bound[i:i + CURVE_EVERY]), 4)
             for i in range(0, len(bound), CURVE_EVERY)]  # the mean of each block of CURVE_EVERY steps
    state = {"width": config.width, "G": {k: v.detach().cpu().half() for k, v in G.state_dict().items()},
             "mi_bound": curve, "curve_every": CURVE_EVERY}
    G = G.cpu()
    G.load_state_dict({k: v.float() for k, v in state["G"].items()})  # measure what is stored
    metrics = {**measure(G, evaluation.load_classifier(), seed=seed), "final_mi_bound": curve[-1], "steps": steps, "train_images": len(digits),
               "seconds": round(history.seconds, 1), "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command(name, seed, config.epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, digits.source, metrics, root, register, verbose,
                                     cache=cache)
    shutil.rmtree(run_dir)
    if verbose:
        print(f"{name}: code accuracy {metrics['code_accuracy']:.3f}, information bound {curve[-1]:.3f} of {math.log(10):.3f} "
              f"({history.seconds:.0f} s)")
    return entry

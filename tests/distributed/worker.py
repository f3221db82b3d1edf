"""What the multi-process tests run, in one process (``python worker.py ...``) or under torchrun.

    worker.py <scenario>[,<scenario>...] <out_dir> [--steps N] [--checkpoint-dir DIR] [--kill-rank R --kill-at S]

Each process writes ``<out_dir>/<scenario>-rank<r>.pt``: the recorded losses and every trained parameter after
the run. Scenarios (all through :func:`gan_course.train.train`, which finds torchrun's variables itself):

- ``mlp-gan`` / ``mlp-wgan-gp`` / ``dcgan-nobn`` / ``dcgan-bn``, *matched noise*: every random draw of a step
  (z, and WGAN-GP's interpolation weights) comes from generators seeded alike on every process, drawn for the
  global batch and cut to this process's rows -- so N processes see exactly the noise of one process. What
  remains to differ is only what data parallelism itself changes (the order of float sums; batch norm's
  statistics over a shard instead of the global batch).
- ``mlp-gan-own-noise``: the course's own rule, each process's noise from its rank-derived seed.
- ``checkpointed``: ``mlp-gan-own-noise`` with a checkpoint every 2 steps; ``--kill-rank R --kill-at S`` makes
  process R kill itself (SIGKILL, as an out-of-memory kill would) after generator step S.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
from pathlib import Path

import torch

from gan_course import distributed, losses, train
from gan_course.data import ring_of_gaussians
from gan_course.models import dcgan
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator
from gan_course.models.wgan import WGANStep

GLOBAL_BATCH = 64


def matched(generator: torch.Generator, world: distributed.World, *shape: int) -> torch.Tensor:
    """Normal draws for the global batch (``shape[0]`` rows per process), cut to this process's rows."""
    return distributed.shard(torch.randn(shape[0] * world.size, *shape[1:], generator=generator), world)


def matched_penalty(generator: torch.Generator, world: distributed.World, weight: float = 10.0):
    """WGAN-GP's penalty (:func:`gan_course.losses.gradient_penalty`) with the interpolation weights drawn as
    :func:`matched` draws its noise."""
    def penalty(critic, real, fake):
        batch = real.shape[0]
        eps = distributed.shard(torch.rand(batch * world.size, 1, generator=generator), world)
        x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
        return weight * ((grad.reshape(batch, -1).norm(2, dim=1) - 1) ** 2).mean()
    return penalty


class ImageStream:
    """Endless resumable batches of GLOBAL_BATCH random 1 x 28 x 28 "images" in [-1, 1] (the same on every
    process: its own seeded generator)."""

    def __init__(self, seed: int = 0):
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self):
        return self

    def __next__(self):
        return torch.rand(GLOBAL_BATCH, 1, 28, 28, generator=self.generator) * 2 - 1

    def state_dict(self):
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state):
        self.generator.set_state(state["generator"])


def build(scenario: str, world: distributed.World):
    torch.manual_seed(0)  # the weights: rank 0's are broadcast anyway, but one process must start alike
    noise = torch.Generator().manual_seed(1)
    if scenario.startswith("dcgan"):
        config = dcgan.VARIANTS["dcgan" if scenario == "dcgan-bn" else "dcgan-nobn"]
        config = dataclasses.replace(config, width=8, z_dim=16)
        G, D = dcgan.build(config)
        d_opt, g_opt = (torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999)) for net in (D, G))
        step = GANStep(G, D, d_opt, g_opt, sample_z=lambda n: matched(noise, world, n, config.z_dim))
        return step, ImageStream()
    G, D = MLPGenerator(z_dim=2, data_dim=2, hidden=32), MLPDiscriminator(data_dim=2, hidden=32)
    if scenario == "mlp-wgan-gp":
        d_opt, g_opt = (torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.0, 0.9)) for net in (D, G))
        step = WGANStep(G, D, d_opt, g_opt, n_critic=2, sample_z=lambda n: matched(noise, world, n, 2))
        step.d_penalty = matched_penalty(torch.Generator().manual_seed(2), world)
    else:
        d_opt, g_opt = (torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.5, 0.999)) for net in (D, G))
        own = scenario in ("mlp-gan-own-noise", "checkpointed")
        step = GANStep(G, D, d_opt, g_opt, d_loss=losses.minimax_d_loss,
                       sample_z=None if own else lambda n: matched(noise, world, n, 2))
    return step, ring_of_gaussians().batches(GLOBAL_BATCH, seed=0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--checkpoint-dir", type=Path, default=None)
    parser.add_argument("--rank1-checkpoint-dir", type=Path, default=None,
                        help="another folder for rank 1 (as on a second machine without a shared file system)")
    parser.add_argument("--kill-rank", type=int, default=None)
    parser.add_argument("--kill-at", type=int, default=None)
    args = parser.parse_args()
    world = distributed.init()

    def kill(state):
        if world.rank == args.kill_rank and state.step == args.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    callbacks = [kill] if args.kill_rank is not None else []
    folder = args.rank1_checkpoint_dir if world.rank == 1 and args.rank1_checkpoint_dir else args.checkpoint_dir
    args.out.mkdir(parents=True, exist_ok=True)
    for scenario in args.scenario.split(","):
        step, batches = build(scenario, world)
        history = train.train(step, batches, args.steps, progress=False, log_every=0, callbacks=callbacks,
                              checkpoint_dir=folder, checkpoint_every=2 if folder else 0)
        with torch.no_grad():
            fake = step.G(step.sample_z(4))  # after training: the next noise each process draws
        torch.save({"losses": history.losses, "resumed_from": history.resumed_from, "fake": fake,
                    "params": {name: torch.cat([p.detach().flatten() for p in net.parameters()])
                               for name, net in step.modules().items()}},
                   args.out / f"{scenario}-rank{world.rank}.pt")
    distributed.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""gan_course.distributed in one process: torchrun's variables, shards, per-rank seeds, the DDP dispatch.
The runs on several processes are in tests/distributed (``make distributed-test``)."""

import pytest
import torch
from torch import nn

from gan_course import distributed, train
from gan_course.data import ring_of_gaussians

TORCHRUN = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "MASTER_ADDR": "localhost", "MASTER_PORT": "29500"}


def test_no_variables_is_one_process():
    assert distributed.world_from_env({}) == distributed.World(0, 1, 0)
    assert distributed.world_from_env({"WORLD_SIZE": "1"}) == distributed.World()
    assert not distributed.World().active and distributed.World().is_main


def test_torchrun_variables_give_the_rank():
    world = distributed.world_from_env(TORCHRUN)
    assert (world.rank, world.size, world.local_rank, world.active, world.is_main) == (1, 2, 1, True, False)


@pytest.mark.parametrize("drop, named", [(("WORLD_SIZE",), "WORLD_SIZE is missing"),
                                         (("MASTER_ADDR", "MASTER_PORT"), "MASTER_ADDR, MASTER_PORT are missing")])
def test_some_variables_missing_is_an_error_naming_them(drop, named):
    with pytest.raises(ValueError, match=named) as err:
        distributed.world_from_env({k: v for k, v in TORCHRUN.items() if k not in drop})
    assert "torchrun --nproc_per_node=N" in str(err.value)


@pytest.mark.parametrize("change, message", [({"RANK": "two"}, "RANK must be an integer"),
                                             ({"RANK": "2"}, "RANK < WORLD_SIZE"),
                                             ({"LOCAL_RANK": "3"}, "LOCAL_RANK <= RANK")])
def test_variables_that_do_not_fit_together_are_an_error(change, message):
    with pytest.raises(ValueError, match=message):
        distributed.world_from_env({**TORCHRUN, **change})


def test_init_in_one_process_joins_nothing():
    assert distributed.init({}) == distributed.World()
    assert not torch.distributed.is_initialized()
    assert distributed.current() == distributed.World() and distributed.end_training()


def test_shards_are_consecutive_rows_of_every_tensor_in_the_batch():
    images, labels = torch.arange(12.0).reshape(6, 2), torch.arange(6)
    parts = [distributed.shard((images, {"labels": labels, "tag": "x"}), distributed.World(r, 3)) for r in range(3)]
    assert torch.equal(torch.cat([p[0] for p in parts]), images)
    assert torch.equal(parts[1][1]["labels"], torch.tensor([2, 3])) and parts[2][1]["tag"] == "x"
    assert isinstance(parts[0], tuple)


@pytest.mark.parametrize("rows, size", [(10, 3), (2, 4)])
def test_a_batch_that_does_not_split_evenly_is_an_error(rows, size):
    with pytest.raises(ValueError, match=f"a global batch of {rows} does not split evenly over {size} processes"):
        distributed.shard(torch.zeros(rows, 2), distributed.World(0, size))


def test_sharded_stream_keeps_the_streams_position():
    stream = ring_of_gaussians().batches(8, seed=0)
    sharded = distributed.ShardedBatches(stream, distributed.World(1, 2))
    state = sharded.state_dict()
    first = next(sharded)
    assert first.shape == (4, 2)
    sharded.load_state_dict(state)
    assert torch.equal(next(sharded), first)
    assert torch.equal(first, next(iter(ring_of_gaussians().batches(8, seed=0)))[4:])


def test_rank_seeds_differ_per_rank_and_from_other_runs():
    seeds = {distributed.rank_seed(s, r) for s in range(20) for r in range(8)}
    assert len(seeds) == 160
    assert distributed.rank_seed(1, 0) != distributed.rank_seed(0, 1)
    assert distributed.rank_seed(3, 2) == distributed.rank_seed(3, 2)


class Recorder:
    """Stands in for DDP: records that the call went through it."""

    def __init__(self, module):
        self.module, self.calls = module, 0

    def __call__(self, *args):
        self.calls += 1
        return self.module(*args)


def test_replica_trains_through_ddp_and_runs_frozen_or_no_grad_calls_directly():
    net = nn.Linear(2, 1)
    ddp = Recorder(net)
    replica = distributed.Replica(net, ddp)
    x = torch.randn(3, 2)
    replica(x)
    assert ddp.calls == 1                      # trains: through DDP, which averages the gradients
    with torch.no_grad():
        replica(x)
    replica.requires_grad_(False)              # G's update: D frozen (forwarded to the network itself)
    replica(x)
    assert ddp.calls == 1 and not net.weight.requires_grad
    replica.requires_grad_(True)
    assert replica.out_features == 1 and set(replica.state_dict()) == {"weight", "bias"}
    replica.extra = 5
    assert net.extra == 5


def test_a_step_declares_unused_parameters_only_where_needed():
    from gan_course.models import egbad, gan, pggan
    assert not train.Step.unused_parameters and not gan.GANStep.unused_parameters
    assert pggan.PGGANStep.unused_parameters and egbad.EGBADStep.unused_parameters


def test_one_process_needs_no_ddp():
    net = nn.Linear(2, 1)
    assert distributed.data_parallel(net, distributed.World()) is net
    assert distributed.sync_batch_norm(nn.BatchNorm1d(3), torch.device("cpu")).__class__ is nn.BatchNorm1d


def test_batch_norm_is_synchronised_on_cuda_in_place():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = net[1].weight
    synced = distributed.sync_batch_norm(net, torch.device("cuda", 0))  # converts without running on a GPU
    assert isinstance(synced[1], nn.SyncBatchNorm) and synced[1].weight is weight


def test_stylegan_discriminator_freezes_the_layers_full_resolution_never_uses():
    from gan_course.models import stylegan
    D = stylegan.discriminator(stylegan.StyleGANConfig())
    assert [any(p.requires_grad for p in layer.parameters()) for layer in D.from_rgb] == [False, False, False, True]

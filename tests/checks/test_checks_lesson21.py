"""Lesson 21's checks (shard_rows; the open averaged_update) accept the references and reject plausible mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, distributed, losses

# --------------------------------------------------------------------------- shard_rows


def with_chunk(batch, rank, world_size):  # torch.chunk, after the same evenness test
    if batch.shape[0] % world_size or batch.shape[0] < world_size:
        raise ValueError("uneven")
    return torch.chunk(batch, world_size)[rank]


def strided(batch, rank, world_size):  # every N-th row: a shard, but not the consecutive rows
    if batch.shape[0] % world_size:
        raise ValueError("uneven")
    return batch[rank::world_size]


def no_error(batch, rank, world_size):  # rounds down, silently drops the rows that do not fit
    per = batch.shape[0] // world_size
    return batch[rank * per:(rank + 1) * per]


def rank_as_size(batch, rank, world_size):  # rows of the wrong shard
    per = batch.shape[0] // world_size
    return batch[(world_size - 1 - rank) * per:(world_size - rank) * per]


def test_shard_rows_accepts_references(capsys):
    checks.shard_rows(lambda b, r, n: distributed.shard(b, distributed.World(r, n)))
    checks.shard_rows(with_chunk)
    checks.shard_rows(solutions("21_scaling_gans")["shard_rows"])
    assert capsys.readouterr().out.count("passed") == 3


SHARD_MISTAKES = [
    (checks.shard_rows, stub, "not implemented yet"),
    (checks.shard_rows, strided, "case '8 rows, 2 processes, rank 0'"),
    (checks.shard_rows, no_error, "case '10 rows over 3 processes': expected a ValueError"),
    (checks.shard_rows, rank_as_size, "case '8 rows, 2 processes, rank 0'"),
]


@pytest.mark.parametrize("check, wrong, fragment", SHARD_MISTAKES, ids=mistake_ids(SHARD_MISTAKES))
def test_shard_rows_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- averaged_update


def by_accumulation(D, opt, real_shards, fake_shards):  # .grad summed over the shards, each loss divided by N
    opt.zero_grad(set_to_none=True)
    for real, fake in zip(real_shards, fake_shards):
        (losses.minimax_d_loss(D(real), D(fake)) / len(real_shards)).backward()
    opt.step()


def summed(D, opt, real_shards, fake_shards):  # the shards' gradients accumulated without the 1/N
    opt.zero_grad(set_to_none=True)
    for real, fake in zip(real_shards, fake_shards):
        losses.minimax_d_loss(D(real), D(fake)).backward()
    opt.step()


def first_shard_only(D, opt, real_shards, fake_shards):  # a process that never heard of the others
    opt.zero_grad(set_to_none=True)
    losses.minimax_d_loss(D(real_shards[0]), D(fake_shards[0])).backward()
    opt.step()


def one_step_per_shard(D, opt, real_shards, fake_shards):  # N small steps instead of one averaged step
    for real, fake in zip(real_shards, fake_shards):
        opt.zero_grad(set_to_none=True)
        losses.minimax_d_loss(D(real), D(fake)).backward()
        opt.step()


def never_steps(D, opt, real_shards, fake_shards):
    for real, fake in zip(real_shards, fake_shards):
        losses.minimax_d_loss(D(real), D(fake)).backward()


def test_averaged_update_accepts_references(capsys):
    checks.averaged_update(by_accumulation)
    checks.averaged_update(solutions("21_scaling_gans")["averaged_update"])
    assert capsys.readouterr().out.count("passed") == 2


AVERAGE_MISTAKES = [
    (checks.averaged_update, stub, "not implemented yet"),
    (checks.averaged_update, summed, "the update is 2.00 times one process's"),
    (checks.averaged_update, first_shard_only, "case '2 shards of 8 real and 8 fake samples, SGD lr 0.5'"),
    (checks.averaged_update, one_step_per_shard, "one step taken per shard"),
    (checks.averaged_update, never_steps, "D did not move"),
]


@pytest.mark.parametrize("check, wrong, fragment", AVERAGE_MISTAKES, ids=mistake_ids(AVERAGE_MISTAKES))
def test_averaged_update_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)

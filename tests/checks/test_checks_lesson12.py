"""Lesson 12's checks (cycle_loss, history_query; the open one) accept the references and reject plausible
mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, losses
from gan_course.models import cyclegan

# --------------------------------------------------------------------------- cycle_loss


def reference_cycle(G_AB, G_BA, a, b):
    return losses.cycle_consistency_loss(a, G_BA(G_AB(a))) + losses.cycle_consistency_loss(b, G_AB(G_BA(b)))


def squared(G_AB, G_BA, a, b):
    return ((G_BA(G_AB(a)) - a) ** 2).mean() + ((G_AB(G_BA(b)) - b) ** 2).mean()


def one_direction(G_AB, G_BA, a, b):
    return (G_BA(G_AB(a)) - a).abs().mean()


def wrong_order(G_AB, G_BA, a, b):  # G_AB twice on a's trip: not a round trip
    return (G_AB(G_BA(a)) - a).abs().mean() + (G_BA(G_AB(b)) - b).abs().mean()


def summed_pixels(G_AB, G_BA, a, b):
    return (G_BA(G_AB(a)) - a).abs().sum() + (G_AB(G_BA(b)) - b).abs().sum()


def averaged_directions(G_AB, G_BA, a, b):
    return reference_cycle(G_AB, G_BA, a, b) / 2


def detached_fake(G_AB, G_BA, a, b):  # the fake is detached: G_AB gets no gradient from a's cycle
    return (G_BA(G_AB(a).detach()) - a).abs().mean() + (G_AB(G_BA(b).detach()) - b).abs().mean()


def as_number(G_AB, G_BA, a, b):
    return torch.tensor(reference_cycle(G_AB, G_BA, a, b).item())


def test_cycle_loss_accepts_references(capsys):
    checks.cycle_loss(reference_cycle)
    checks.cycle_loss(solutions("12_unpaired_translation")["cycle_loss"])
    assert capsys.readouterr().out.count("passed") == 2


MISTAKES = [
    (checks.cycle_loss, stub, "not implemented yet"),
    (checks.cycle_loss, squared, "case 'grey digits, convolutional translators'"),
    (checks.cycle_loss, one_direction, "case 'grey digits, convolutional translators'"),
    (checks.cycle_loss, wrong_order, "case 'grey digits, convolutional translators'"),
    (checks.cycle_loss, summed_pixels, "case 'grey digits, convolutional translators'"),
    (checks.cycle_loss, averaged_directions, "case 'grey digits, convolutional translators'"),
    (checks.cycle_loss, detached_fake, "expected the gradient of G_AB's weights"),
    (checks.cycle_loss, as_number, "requires grad"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_cycle_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- history_query


reference_query = cyclegan.history_query


def always_older(stored, size, fakes, generator):  # once full, always hands back an older fake
    if size == 0:
        return fakes
    out = []
    for fake in fakes.detach():
        if len(stored) < size:
            stored.append(fake.clone())
            out.append(fake)
        else:
            slot = int(torch.randint(size, (), generator=generator))
            out.append(stored[slot])
            stored[slot] = fake.clone()
    return torch.stack(out)


def one_coin_per_batch(stored, size, fakes, generator):
    if len(stored) < size or size == 0:
        return reference_query(stored, size, fakes, generator)
    if torch.rand((), generator=generator) < 0.5:
        return fakes.detach()
    slots = torch.randint(size, (len(fakes),), generator=generator)
    out = torch.stack([stored[int(s)] for s in slots])
    for s, fake in zip(slots.tolist(), fakes.detach()):
        stored[s] = fake.clone()
    return out


def never_stores_new(stored, size, fakes, generator):  # hands back older fakes but keeps them
    if len(stored) < size or size == 0:
        return reference_query(stored, size, fakes, generator)
    out = [stored[int(torch.randint(size, (), generator=generator))] if torch.rand((), generator=generator) < 0.5
           else fake for fake in fakes.detach()]
    return torch.stack(out)


def grows_forever(stored, size, fakes, generator):  # stores every new fake, never dropping one
    if size == 0:
        return fakes
    out = reference_query(list(stored), size, fakes, generator)
    stored.extend(fakes.detach())
    return out


def keeps_the_graph(stored, size, fakes, generator):
    out = reference_query(stored, size, fakes, generator)
    return out + 0 * fakes.sum() if size else fakes


def test_history_query_accepts_references(capsys):
    checks.history_query(reference_query)
    checks.history_query(solutions("12_unpaired_translation")["history_query"])
    assert capsys.readouterr().out.count("passed") == 2


BUFFER_MISTAKES = [
    (checks.history_query, stub, "not implemented yet"),
    (checks.history_query, always_older, "about half"),
    (checks.history_query, one_coin_per_batch, "about half"),
    (checks.history_query, never_stores_new, "new fakes to take the slots"),
    (checks.history_query, grows_forever, "stay at 20 images"),
    (checks.history_query, keeps_the_graph, "without gradient"),
]


@pytest.mark.parametrize("check, wrong, fragment", BUFFER_MISTAKES, ids=mistake_ids(BUFFER_MISTAKES))
def test_history_query_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- translation_flags (open)


def by_cycle_error(x, G_AB, G_BA):  # the obvious try: the round trip's error per image
    error = (cyclegan.translate(G_BA, cyclegan.translate(G_AB, x)) - x).abs().flatten(1).mean(1)
    return error > error.quantile(0.75)


def test_translation_flags_grades_the_flags(capsys):
    checks.translation_flags(solutions("12_unpaired_translation")["flag"])
    assert "✔ translation_flags" in capsys.readouterr().out
    assert_rejected(checks.translation_flags, by_cycle_error, "at least 1.5 times")
    assert_rejected(checks.translation_flags, lambda x, G_AB, G_BA: torch.rand(len(x)) < 0.25, "at least 1.5 times")
    assert_rejected(checks.translation_flags, lambda x, G_AB, G_BA: torch.ones(len(x), dtype=torch.bool),
                    "between 15% and 40%")
    assert_rejected(checks.translation_flags, lambda x, G_AB, G_BA: torch.ones(len(x)), "expected a bool tensor")
    assert_rejected(checks.translation_flags, stub, "not implemented yet")

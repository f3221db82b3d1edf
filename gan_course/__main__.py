"""Command line: ``python -m gan_course <command>``.

    sync     write notebooks/NN_topic.ipynb from the py:percent sources
    release  write the student exercises/NN_topic.ipynb (solutions replaced by stubs)
    set-repo make owner/name the course's GitHub repository (after a fork): rewrites
             gan_course/runtime.REPO_SLUG, the README's links, every Colab badge and setup cell
    run      execute one notebook headless:  run notebooks/00_start_here.ipynb --profile smoke
    course   execute every notebook headless; writes build/summary.md and build/summary.json
    train    train a recipe; save its checkpoint in the cache (data/cache/checkpoints/ of a checkout), or
             with --register replace the committed one in gan_course/pretrained/:  train mnist-classifier --seed 0
             Data-parallel on several processes or GPUs:  torchrun --nproc_per_node=2 -m gan_course train dcgan

``sync --check`` and ``release --check`` change nothing and exit with status 1
when a file is out of date. Bad options end with an argparse error naming the option (status 2).

Used by: lessons 06–09 (their committed checkpoints)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import distributed, headless, notebook_tools, recipes, runtime

PROFILE_CHOICES = ("auto",) + runtime.PROFILES


def _report_stale(stale: list[Path], check: bool, what: str) -> int:
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path}")
    if check and stale:
        print(f"{len(stale)} {what} out of date; run `make sync`", file=sys.stderr)
        return 1
    if not stale:
        print(f"{what}: up to date")
    return 0


def positive_int(text: str) -> int:
    """An argparse ``type=``: the integer in ``text``, which must be >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def _slug(text: str) -> str:
    """An argparse ``type=``: a GitHub ``owner/name``."""
    try:
        return notebook_tools.check_slug(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("sync", "write the paired .ipynb files"), ("release", "write the student exercises")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--check", action="store_true", help="compare only; exit 1 when out of date")
    set_repo = commands.add_parser("set-repo", help="make owner/name the course's GitHub repository")
    set_repo.add_argument("slug", type=_slug, metavar="owner/name")
    run = commands.add_parser("run", help="execute one notebook headless")
    run.add_argument("notebook", type=Path)
    run.add_argument("--profile", choices=PROFILE_CHOICES, default="auto")
    run.add_argument("--out", type=Path, default=headless.BUILD)
    course = commands.add_parser("course", help="execute every notebook headless and summarise")
    course.add_argument("--profile", choices=PROFILE_CHOICES, default="auto")
    course.add_argument("--out", type=Path, default=headless.BUILD)
    course.add_argument("--only", nargs="*", help="notebook stems, e.g. 00_start_here")
    train = commands.add_parser("train", help="train a recipe; save its checkpoint in the cache (data/cache/checkpoints)")
    train.add_argument("recipe", choices=sorted(recipes.RECIPES))
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--epochs", type=positive_int, default=None, help="default: the recipe's")
    train.add_argument("--limit", type=positive_int, default=None, help="train on the first N images only (tests)")
    train.add_argument("--register", action="store_true",
                       help="replace the committed checkpoint and its entry in gan_course/pretrained/manifest.json")
    args = parser.parse_args(argv)

    if args.command == "sync":
        return _report_stale(notebook_tools.sync(check=args.check), args.check, "notebooks")
    if args.command == "release":
        return _report_stale(notebook_tools.release(check=args.check), args.check, "exercises")
    if args.command == "set-repo":
        for path in notebook_tools.set_repo(args.slug):
            print(f"wrote: {path}")
        print(f"the course's repository is now {args.slug}; commit the changes and push them to it")
        return 0
    if args.command == "train":
        options = {"seed": args.seed, "limit": args.limit, "register": args.register}
        if args.epochs is not None:
            options["epochs"] = args.epochs
        try:
            world = distributed.init()  # under torchrun: join the other processes (one process: nothing)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if not world.is_main:
            options["verbose"] = False  # rank 0 alone logs
        try:
            recipes.RECIPES[args.recipe](**options)
        finally:
            distributed.finish()
        return 0
    if args.command == "run":
        row = headless.run_notebook(args.notebook, args.out, profile=args.profile)
        print(json.dumps(row, indent=2))
        return 0 if row["status"] == "ok" else 1
    rows = headless.run_course(args.profile, args.out, only=args.only)
    print(f"wrote {args.out / 'summary.md'}")
    return 0 if all(row["status"] == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""``make preview-stack PR=<n>``: write a pull request's preview stack file from the template.

A pull request labelled ``preview`` gets its own stack ``pr-<number>``. Its settings are
``previews/Pulumi.preview.yaml`` (the dev profile, ``webapp:ephemeral: true``, the previews'
permissions boundary and budget) with the PR's image tag; this writes them to
``Pulumi.pr-<number>.yaml`` in the project directory (git-ignored: the template is the source)
and prints the written path, the only line on stdout. A number that is not a pull request's
(digits without a leading zero, at most 2147483647) or a bad image tag exits 2 with one line on
stderr. An existing file is overwritten: the preview workflow writes it on every push.

Example::

    make preview-stack PR=42 IMAGE_TAG=3f9c2e1
    .venv/bin/python -m offline.preview_stack 42 --image-tag 3f9c2e1   # prints .../Pulumi.pr-42.yaml
    make cost STACK=pr-42
"""

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from components.core.image_reference import TAG

from .cli import USAGE_ERROR, run_cli
from .run import PROJECT_DIR

TEMPLATE = Path("previews") / "Pulumi.preview.yaml"
# Preview stacks are `<prefix><number>`; bootstrap's previewStackPrefix must be the same.
STACK_PREFIX = "pr-"
# GitHub numbers issues and pull requests with a 32-bit signed integer; names are checked up to it.
MAX_PR_NUMBER = 2_147_483_647
_PR_NUMBER = re.compile(r"^[1-9][0-9]{0,9}$")
_IMAGE_TAG = re.compile(rf"^{TAG}$")


class PreviewStackError(Exception):
    """The pull request number or image tag is unusable; the message is one line."""


def preview_stack_name(pr_number: str | int) -> str:
    """``pr-<number>`` for a pull request number, or PreviewStackError."""
    text = str(pr_number)
    if not _PR_NUMBER.match(text) or int(text) > MAX_PR_NUMBER:
        raise PreviewStackError(
            f"bad pull request number {text!r}: use a whole number from 1 to {MAX_PR_NUMBER} "
            "without leading zeros"
        )
    return f"{STACK_PREFIX}{text}"


def is_generated_stack(stack: str) -> bool:
    """Whether ``stack`` is a pull request's preview stack, whose file this command writes."""
    try:
        return preview_stack_name(stack.removeprefix(STACK_PREFIX)) == stack
    except PreviewStackError:
        return False


def preview_config(
    pr_number: str | int, image_tag: str | None = None, project_dir: Path = PROJECT_DIR
) -> dict[str, Any]:
    """The template's stack file content for ``pr_number``, with ``image_tag`` when given."""
    stack = preview_stack_name(pr_number)
    content = yaml.safe_load((project_dir / TEMPLATE).read_text(encoding="utf-8"))
    config: dict[str, Any] = content["config"]
    if image_tag is not None:
        if image_tag == "latest" or not _IMAGE_TAG.match(image_tag):
            raise PreviewStackError(
                f"bad image tag {image_tag!r}: a Docker tag (letters, digits, '_', '.', '-'; up to 128; "
                "not latest)"
            )
        config["webapp:image"] = {**config.get("webapp:image", {}), "tag": image_tag}
    config["webapp:tags"] = {
        **config.get("webapp:tags", {}),
        "pull-request": stack.removeprefix(STACK_PREFIX),
    }
    return content


def write_preview_stack(
    pr_number: str | int, image_tag: str | None = None, project_dir: Path = PROJECT_DIR
) -> Path:
    """Write ``Pulumi.pr-<number>.yaml`` in ``project_dir`` and return its path."""
    content = preview_config(pr_number, image_tag, project_dir)
    path = project_dir / f"Pulumi.{preview_stack_name(pr_number)}.yaml"
    header = (
        f"# Generated from {TEMPLATE.as_posix()} by `make preview-stack` (offline/preview_stack.py);\n"
        "# git-ignored and rewritten on every push of the pull request: change the template instead.\n"
    )
    path.write_text(header + yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make preview-stack", description=__doc__)
    parser.add_argument("pr_number", help="the pull request's number")
    parser.add_argument("--image-tag", help="the tag of the image built from the pull request")
    args = parser.parse_args(argv)
    try:
        path = write_preview_stack(args.pr_number, args.image_tag)
    except (PreviewStackError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    print(path)
    return 0


if __name__ == "__main__":
    run_cli(main)

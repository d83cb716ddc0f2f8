"""Pull requests' preview stack files: ``Pulumi.pr-<number>.yaml`` from ``previews/Pulumi.preview.yaml``.

The logic behind ``make preview-stack`` (``offline.preview_stack``), apart from the command so
that ``make schemas`` can tell generated stack files from committed ones.

Example::

    write_preview_stack(42, "3f9c2e1")   # PROJECT_DIR / "Pulumi.pr-42.yaml"
    is_generated_stack("pr-42")          # True
"""

import re
from pathlib import Path
from typing import Any

import yaml

from components.core.image_reference import TAG

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

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
import sys

from .cli import USAGE_ERROR, run_cli

# The logic lives in preview_template (make schemas needs it without the command); importable here too.
from .preview_template import (
    TEMPLATE,
    PreviewStackError,
    is_generated_stack,
    preview_config,
    preview_stack_name,
    write_preview_stack,
)

__all__ = [
    "TEMPLATE",
    "PreviewStackError",
    "is_generated_stack",
    "main",
    "preview_config",
    "preview_stack_name",
    "write_preview_stack",
]


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

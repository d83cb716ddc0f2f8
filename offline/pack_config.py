"""Which policy pack config a stack uses: ``policies/config/<profile>.json`` or its own file.

The stack file's ``<project>:profile`` (default ``dev``) picks ``policies/config/<profile>.json``;
``<project>:policyPackConfig`` (a path from the project directory) replaces it for a stack with
deliberate departures of its own. The stack's name plays no part, so a copy of ``Pulumi.prod.yaml``
under any name gets prod's enforcement. ``make policy-check``, ``make plan`` and the CI scripts
all resolve it here; a file that does not exist is an error naming it, never "no config".

Example::

    python -m offline.pack_config prod      # prints policies/config/prod.json
    pulumi preview --stack prod --policy-pack policies \\
      --policy-pack-config "$(python -m offline.pack_config prod)"
"""

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from components.profiles import Profile
from stack_config import pack_config_problem

from .cli import report_error, run_cli
from .run import PROJECT_DIR, StackFileError, load_stack_file, stack_file_label

CONFIG_DIR = Path("policies") / "config"


class PackConfigError(Exception):
    """The stack's pack config cannot be resolved or found; the message is one line."""


@dataclass(frozen=True)
class PackConfig:
    """A stack's pack config: ``relative`` as the CLI takes it from the project directory."""

    relative: str
    path: Path
    source: str  # what picked it, for messages: `profile prod` or `webapp:policyPackConfig`


def profile_config(profile: Profile, project_dir: Path = PROJECT_DIR) -> Path:
    """The committed pack config of a profile."""
    return project_dir / CONFIG_DIR / f"{profile.value}.json"


def resolve(stack: str, project_dir: Path = PROJECT_DIR) -> PackConfig:
    """The pack config of ``Pulumi.<stack>.yaml`` (or of a stack file's path, as ``offline.run`` takes
    it); raises PackConfigError or StackFileError."""
    stack_file = load_stack_file(stack, project_dir)
    file_name = stack_file_label(stack)
    profile_key, own_key = f"{stack_file.project}:profile", f"{stack_file.project}:policyPackConfig"
    raw_profile = stack_file.config.get(profile_key, Profile.DEV.value)
    try:
        profile = Profile(raw_profile)
    except ValueError:
        allowed = ", ".join(p.value for p in Profile)
        raise PackConfigError(
            f"{file_name}: {profile_key} = {json.dumps(raw_profile)}: must be one of {allowed}"
        ) from None
    own = stack_file.config.get(own_key)
    if own is not None:
        problem = pack_config_problem(own)
        if problem is not None:
            raise PackConfigError(f"{file_name}: {own_key} = {json.dumps(own)}: {problem}")
        path = project_dir / own
        if not path.is_file():
            raise PackConfigError(f"{file_name}: {own_key} = {json.dumps(own)}: no such file {own}")
        return PackConfig(own, path, own_key)
    path = profile_config(profile, project_dir)
    relative = (CONFIG_DIR / path.name).as_posix()
    if not path.is_file():
        raise PackConfigError(
            f"{file_name}: the pack config of {profile_key} = {json.dumps(profile.value)} is "
            f"{relative}, which does not exist"
        )
    return PackConfig(relative, path, f"profile {profile.value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.pack_config", description=__doc__)
    parser.add_argument("stack", help="the stack whose Pulumi.<stack>.yaml to read")
    args = parser.parse_args(argv)
    try:
        found = resolve(args.stack)
    except (PackConfigError, StackFileError) as err:
        return report_error(err, args.stack)
    print(found.relative)
    return 0


if __name__ == "__main__":
    run_cli(main)

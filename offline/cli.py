"""What the offline commands share as commands: how they report a user's error, and how they exit.

An error the user can fix (a stack file that cannot be read, bad stack config, a plan file that is
not a plan, a pack config that cannot be resolved or is invalid) is printed without a traceback
and the command exits 2. ``ConfigError`` gets a header naming the stack file and one indented line
per problem; any other error is one line. Example::

    def main(argv: list[str] | None = None) -> int:
        args = parser.parse_args(argv)
        try:
            preview = to_preview_json(run_stack(args.stack))
        except (StackFileError, ConfigError) as err:
            return report_error(err, args.stack)
        ...

    if __name__ == "__main__":
        run_cli(main)
"""

import os
import sys
from collections.abc import Callable
from typing import NoReturn

from components import ConfigError

from .run import stack_file_label

# The exit code of a command whose input is unusable; 1 is kept for a failed policy check.
USAGE_ERROR = 2


def report_error(err: Exception, stack: str) -> int:
    """Print ``err`` on stderr as the commands do and return their exit code for it (2).

    ``stack`` is the command's ``--stack``: bad config is reported against its stack file,
    ``error: invalid config in Pulumi.dev.yaml:`` followed by the problems.
    """
    if isinstance(err, ConfigError):
        print(f"error: invalid config in {stack_file_label(stack)}:", file=sys.stderr)
        for line in err.problems:
            print(f"  {line}", file=sys.stderr)
    else:
        print(f"error: {err}", file=sys.stderr)
    return USAGE_ERROR


def run_cli(main: Callable[[], int]) -> NoReturn:
    """Run a command's ``main`` as its ``__main__`` block and exit with its code.

    Exits without interpreter teardown: the mocks' event loop otherwise prints a harmless but
    alarming "Exception ignored in BaseEventLoop.__del__" on exit.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

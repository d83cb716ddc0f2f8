"""Physical names that must fit an AWS length limit and stay distinct between stacks.

Names built from the project and stack (``<project>-<stack>-<component>``) fit comfortably for
``webapp``/``prod``, but a long project name or a pull request's stack (``pr-2147483647``) can
pass a limit. Cutting the end would drop the stack, and two stacks would then ask for one name;
``fit_name`` keeps the start and replaces the rest with a hash of the whole name instead.

Example::

    fit_name("webapp-pr-2147483647-site-api", 64)   # unchanged: it fits
    fit_name("a-very-long-project-...-pr-7-site-api", 64)  # "a-very-long-project-...-3f9c2e1a"
"""

import hashlib

# A hyphen and eight hex digits of SHA-256: distinct for any two names in one account in practice.
_DIGEST_LENGTH = 8


def fit_name(name: str, limit: int) -> str:
    """``name`` if it fits ``limit`` characters, else its start, ``-`` and a hash of all of it."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_DIGEST_LENGTH]
    return f"{name[: limit - _DIGEST_LENGTH - 1].rstrip('-_')}-{digest}"

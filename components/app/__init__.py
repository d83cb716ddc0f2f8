"""The top layer: the whole web stack wired from one validated config (``build_stack``).

Both the Python program (``__main__.py``, resources at the top of the stack) and the packaged
``WebApp`` component (``provider/``, resources under the component) call ``build_stack``, so the
wiring exists once.
"""

from .stack import StackSettings, WebStack, build_stack

__all__ = ["StackSettings", "WebStack", "build_stack"]

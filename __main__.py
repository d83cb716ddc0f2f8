"""The web application stack: typed config in, components wired together, outputs out.

Config is validated first (``stack_config.load_settings``), so a bad value stops the run
before any resource is registered. The wiring itself is ``components.app.build_stack``, shared
with the packaged ``WebApp`` component (``provider/``): here it runs with no parent, so every
resource sits at the top of the stack, and each of its outputs becomes a stack output.
"""

import pulumi

from components.app import build_stack
from stack_config import load_settings

stack = build_stack(load_settings())
for key, value in stack.outputs.items():
    pulumi.export(key, value)

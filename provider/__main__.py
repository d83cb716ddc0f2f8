"""Entry point of the ``webapp`` provider plugin: serves its components over gRPC to the Pulumi engine.

The engine (through the Python language host, PulumiPlugin.yaml) starts this file with the
engine's address as argument; it prints the port it listens on and serves GetSchema and
Construct. Run it by hand the same way: ``python provider 127.0.0.1:<engine port>``.
"""

import sys
from pathlib import Path

# The plugin runs from its own directory; the components and stack_config live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.provider import main

from provider.web_app_provider import WebAppProvider

if __name__ == "__main__":
    main(WebAppProvider(), sys.argv[1:])

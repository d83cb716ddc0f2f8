"""Entry point the Pulumi CLI runs for ``--policy-pack policies``: build the pack and serve it.

``PolicyPack`` starts a gRPC server and never returns, so nothing imports this file; tests and the
offline runner use ``pack.build_policies()``. The CLI runs this file as a script from inside the
pack directory, wherever that directory is (the repository, or a published pack's download), so
the directory is loaded as a package under a fixed name before its modules are imported.
"""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

PACK_DIR = Path(__file__).resolve().parent
PACKAGE = "webapp_policies"


def _load_pack_package() -> None:
    spec = importlib.util.spec_from_file_location(
        PACKAGE, PACK_DIR / "__init__.py", submodule_search_locations=[str(PACK_DIR)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)


_load_pack_package()
pack = importlib.import_module(f"{PACKAGE}.pack")

PolicyPack(
    name=pack.PACK_NAME,
    # Everything blocks unless the stack's policy config (config/<stack>.json) says otherwise.
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=pack.build_policies(),
)

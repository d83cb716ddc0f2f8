"""The data tier of the stack: the database, the cache and the uploads bucket in the isolated subnets.

Part of ``build_stack`` (``components/app/stack.py``), split out so each file reads in one go.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from components import Cache, CacheMode, Database, Network, UploadsBucket
from components.core.deploy_permissions_boundary import RoleGuard
from components.core.wiring import Connection, SidecarContainer

if TYPE_CHECKING:
    from stack_config import StackConfig


@dataclass(frozen=True)
class DataParts:
    """What the data tier needs from the rest of the stack.

    Example::

        data = build_data(DataParts(config=config, network=network, log_kms_key_arn=None,
                                    role_guard=role_guard, on_aws=on_aws, named=lambda n: n))
    """

    config: "StackConfig"
    network: Network
    log_kms_key_arn: pulumi.Output[str] | None
    role_guard: RoleGuard
    on_aws: pulumi.ResourceOptions
    named: Callable[[str], str]


@dataclass(frozen=True)
class DataTier:
    """The data stores that exist with this config, and how the app's tasks reach them."""

    database: Database
    # cache.mode none: no Cache at all, so no REDIS_* variables, cache alarms or cache outputs.
    cache: Cache | None
    uploads: UploadsBucket | None

    @property
    def cache_sidecar(self) -> SidecarContainer | None:
        """The Valkey container to run inside the API's tasks (cache.mode sidecar)."""
        return self.cache.sidecar if self.cache is not None else None

    @property
    def stores(self) -> list[Connection]:
        """The database and the cache: what the migration task may reach too."""
        return [self.database.connection] + ([self.cache.connection] if self.cache is not None else [])

    @property
    def app_stores(self) -> list[Connection]:
        """Every store the API and workers reach; each service opens its own way, nothing else can."""
        return self.stores + ([self.uploads.connection] if self.uploads is not None else [])


def build_data(parts: DataParts) -> DataTier:
    """The database, the cache (unless cache.mode is none) and the uploads bucket (if enabled)."""
    config, named, network, on_aws = parts.config, parts.named, parts.network, parts.on_aws
    database = Database(
        named("db"),
        config.database,
        vpc_id=network.vpc_id,
        subnet_ids=network.isolated_subnet_ids,
        protect=config.protect,
        ephemeral=config.ephemeral,
        log_kms_key_arn=parts.log_kms_key_arn,
        role_guard=parts.role_guard,
        opts=on_aws,
    )
    cache = (
        Cache(
            named("cache"),
            config.cache,
            vpc_id=network.vpc_id,
            subnet_ids=network.isolated_subnet_ids,
            protect=config.protect,
            ephemeral=config.ephemeral,
            log_kms_key_arn=parts.log_kms_key_arn,
            opts=on_aws,
        )
        if config.cache.mode is not CacheMode.NONE
        else None
    )
    uploads = (
        UploadsBucket(
            named("uploads"), config.uploads, protect=config.protect, ephemeral=config.ephemeral, opts=on_aws
        )
        if config.uploads.enabled
        else None
    )
    return DataTier(database=database, cache=cache, uploads=uploads)

"""Typed values one component hands to another through constructor arguments.

A component exposes one of these (``registry.image``, ``secrets.references``,
``load_balancer.target``); the wiring (``components.app.build_stack``) passes it to the component
that consumes it. Nothing is looked up globally, so every dependency is visible at the call site.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi


@dataclass(frozen=True)
class ImageRef:
    """The image a task runs, and the ECR repository its execution role may pull from.

    Example::

        ImageRef(uri=repo.repository_url.apply(lambda u: f"{u}:abc123"), repository_arn=repo.arn)
    """

    uri: pulumi.Input[str]
    # None when the image lives outside this account's ECR (a public registry): no pull grant.
    repository_arn: pulumi.Input[str] | None


@dataclass(frozen=True)
class SecretReference:
    """One secret as ECS injects it: ``valueFrom`` plus what the execution role must be granted.

    ``value_from`` may point inside a secret (``<secret-arn>:password::``); ``resource_arn`` is
    the whole secret or parameter, which is what IAM grants on.

    Example::

        SecretReference(kind="secretsmanager", value_from=secret.arn, resource_arn=secret.arn,
                        kms_key_arn=key.arn)
    """

    kind: Literal["secretsmanager", "ssm"]
    value_from: pulumi.Input[str]
    resource_arn: pulumi.Input[str]
    # The customer-managed key the value is encrypted with; None for AWS-managed keys.
    kms_key_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class ClusterRef:
    """The ECS cluster services run in.

    Example::

        ClusterRef(name=cluster.name, arn=cluster.arn)
    """

    name: pulumi.Input[str]
    arn: pulumi.Input[str]


@dataclass(frozen=True)
class TrafficShiftTarget:
    """What ECS needs to move traffic between two target groups (blueGreen, canary, linear).

    ``alternate_target_group_arn`` receives the new tasks; ECS rewrites the forward weights of
    the production listener rule (all production traffic matches it) and the test listener rule
    (on the VPC-only test listener) during a deployment. The service waits for ``rules``.

    Example::

        TrafficShiftTarget(alternate_target_group_arn=green.arn, production_rule_arn=prod.arn,
                           test_rule_arn=test.arn, rules=(prod, test))
    """

    alternate_target_group_arn: pulumi.Input[str]
    production_rule_arn: pulumi.Input[str]
    test_rule_arn: pulumi.Input[str]
    rules: Sequence[pulumi.Resource]


@dataclass(frozen=True)
class LoadBalancerTarget:
    """What a service needs to sit behind the load balancer.

    The service registers in ``target_group_arn``, admits ``security_group_id`` on its port,
    opens that security group's egress to itself, and waits for ``listener`` so the target group
    is attached before the service starts. ``resource_label`` feeds ALB-requests autoscaling.
    ``traffic_shift`` is what blueGreen, canary and linear deployments need besides.

    Example::

        LoadBalancerTarget(target_group_arn=tg.arn, security_group_id=sg.id, listener=https,
                           resource_label=pulumi.Output.concat(alb.arn_suffix, "/", tg.arn_suffix))
    """

    target_group_arn: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    listener: pulumi.Resource
    resource_label: pulumi.Input[str]
    # Set when the load balancer was built for a traffic-shifting strategy (a second target group).
    traffic_shift: TrafficShiftTarget | None = None


@dataclass(frozen=True)
class Connection:
    """How a service reaches one data store: network access plus the settings its code reads.

    The consuming ContainerService opens its own egress to ``security_group_id`` on ``port``
    and the store's ingress from itself (no CIDR rules), adds ``environment`` to the container's
    plain environment and ``secrets`` to its ``secrets`` (the execution role may read exactly
    those). ``security_group_id`` is None for a store inside the task (a sidecar on localhost).

    Example::

        Connection(name="database", security_group_id=db.security_group_id, port=5432,
                   environment={"DB_HOST": db.address, "DB_PORT": "5432"},
                   secrets={"DB_PASSWORD": SecretReference(kind="secretsmanager",
                                                           value_from=f"{secret_arn}:password::",
                                                           resource_arn=secret_arn)})
    """

    name: str
    security_group_id: pulumi.Input[str] | None
    port: int
    environment: Mapping[str, pulumi.Input[str]]
    secrets: Mapping[str, SecretReference]


@dataclass(frozen=True)
class SidecarContainer:
    """An extra container in the same task, reachable by the app on localhost.

    Example::

        SidecarContainer(name="redis", image="public.ecr.aws/docker/library/valkey:8.1-alpine",
                         port=6379, command=("valkey-server", "--bind", "127.0.0.1"),
                         memory_reservation=64)
    """

    name: str
    image: str
    port: int
    command: Sequence[str]
    # MiB held for the sidecar out of the task's memory (a soft limit).
    memory_reservation: int

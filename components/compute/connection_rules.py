"""Security group rules between a service and its peers: the load balancer in, data stores out.

Every rule references a security group, never a CIDR, and is opened on both sides (the
service's egress and the peer's ingress), so each group admits exactly the groups it talks to.
Rules are separate resources, never inline, so groups owned by other components keep theirs.
"""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..core.wiring import Connection, LoadBalancerTarget


def admit_load_balancer(
    parent: pulumi.Resource,
    name: str,
    security_group_id: pulumi.Input[str],
    port: int,
    load_balancer: LoadBalancerTarget,
) -> list[pulumi.Resource]:
    """Let the load balancer reach the service on ``port``, and only the service from its side.

    Example::

        rules = admit_load_balancer(self, "api", self.security_group.id, 8000, alb.target)
    """
    child = pulumi.ResourceOptions(parent=parent)
    ingress = aws.vpc.SecurityGroupIngressRule(
        f"{name}-from-lb",
        security_group_id=security_group_id,
        description=f"Load balancer to {name} on {port}",
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=load_balancer.security_group_id,
        opts=child,
    )
    egress = aws.vpc.SecurityGroupEgressRule(
        f"{name}-lb-egress",
        security_group_id=load_balancer.security_group_id,
        description=f"Load balancer to {name} tasks on {port}",
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=security_group_id,
        opts=child,
    )
    return [ingress, egress]


def open_connections(
    parent: pulumi.Resource,
    name: str,
    security_group_id: pulumi.Input[str],
    connections: Sequence[Connection],
) -> list[pulumi.Resource]:
    """The service's egress to each connection's security group on its port, and that group's
    ingress from the service. Connections without a security group (a sidecar on localhost) get none.

    Example::

        rules = open_connections(self, "api", self.security_group.id, [db.connection])
    """
    child = pulumi.ResourceOptions(parent=parent)
    rules: list[pulumi.Resource] = []
    for connection in connections:
        if connection.security_group_id is None:
            continue
        port = connection.port
        description = f"{name} to {connection.name} on {port}"
        rules.append(
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-{connection.name}",
                security_group_id=security_group_id,
                description=description,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=connection.security_group_id,
                opts=child,
            )
        )
        rules.append(
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{connection.name}-ingress",
                security_group_id=connection.security_group_id,
                description=description,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=security_group_id,
                opts=child,
            )
        )
    return rules

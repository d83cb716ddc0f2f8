"""``StaticSite``'s ``apiOrigin`` input: the internal ALB its API path goes to, as schema values.

The program hands ``StaticSite`` a ``components.edge.static_site.ApiOrigin`` built from its
``LoadBalancer``; on its own the consumer names its own internal ALB (docs/decisions/0020).

Example::

    {"loadBalancerArn": alb.arn, "loadBalancerDnsName": alb.dns_name,
     "loadBalancerSecurityGroupId": alb_sg.id, "vpcId": net.vpc_id}
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
from typing import Required, TypedDict

from pulumi import Input


class ApiOriginArgs(TypedDict, total=False):
    """An internal application load balancer CloudFront reaches through a VPC origin."""

    loadBalancerArn: Required[Input[str]]
    """The internal ALB's ARN (the VPC origin's target)."""
    loadBalancerDnsName: Required[Input[str]]
    """The ALB's DNS name, which CloudFront connects to unless originDomainName is set."""
    loadBalancerSecurityGroupId: Required[Input[str]]
    """The ALB's security group: the site adds its one ingress rule, from CloudFront's VPC origins."""
    vpcId: Required[Input[str]]
    """The ALB's VPC, where CloudFront's VPC-origin security group lives."""
    originDomainName: str
    """A name the ALB's HTTPS:443 listener has a certificate for, reached with TLS; else HTTP:80."""

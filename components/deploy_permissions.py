"""What the GitHub deploy roles may do: pure functions from a ``DeployScope`` to IAM policy JSON.

The actions are those the webapp stack's resources need, as ``(service, actions)`` rows, rendered
into statements. Regional services are limited to the stack's regions (``aws:RequestedRegion``);
global ones (IAM, CloudFront, Route 53, Budgets) cannot be, since their calls all report
us-east-1. IAM and KMS key administration is further limited by ABAC on the ``project`` and
``stack`` tags the program's provider puts on every resource, so a deploy role can change only
the roles and keys of its own stack, never the bootstrap's (tagged with the bootstrap project).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Read-only calls a `pulumi preview` (and its invokes) needs; nothing here reads data: no
# s3:GetObject, secretsmanager:GetSecretValue or logs:GetLogEvents.
REGIONAL_READ: list[tuple[str, list[str]]] = [
    ("ec2", ["Describe*", "GetManagedPrefixListEntries"]),
    ("ecs", ["Describe*", "List*"]),
    ("ecr", ["Describe*", "List*", "GetLifecyclePolicy", "GetRepositoryPolicy"]),
    ("elasticloadbalancing", ["Describe*"]),
    ("rds", ["Describe*", "ListTagsForResource"]),
    ("elasticache", ["Describe*", "List*"]),
    ("s3", ["GetBucket*", "GetEncryptionConfiguration", "GetLifecycleConfiguration",
            "GetAccelerateConfiguration", "GetReplicationConfiguration", "ListAllMyBuckets"]),
    ("wafv2", ["Get*", "List*", "Describe*"]),
    ("acm", ["Describe*", "List*"]),
    ("kms", ["Describe*", "GetKeyPolicy", "GetKeyRotationStatus", "List*"]),
    ("secretsmanager", ["DescribeSecret", "ListSecrets", "GetResourcePolicy", "ListSecretVersionIds"]),
    ("logs", ["Describe*", "ListTags*", "GetDelivery*", "GetLogDelivery"]),
    ("cloudwatch", ["Describe*", "GetDashboard", "List*"]),
    ("sns", ["GetTopicAttributes", "GetSubscriptionAttributes", "List*"]),
    ("application-autoscaling", ["Describe*", "ListTagsForResource"]),
    ("cloudtrail", ["Describe*", "Get*", "List*"]),
]  # fmt: skip
GLOBAL_READ: list[tuple[str, list[str]]] = [
    ("iam", ["Get*", "List*"]),
    ("cloudfront", ["Get*", "List*", "Describe*"]),
    ("route53", ["Get*", "List*"]),
    ("budgets", ["ViewBudget", "ListTagsForResource"]),
]

# Changes a `pulumi up` makes, by service, for the resource types components/ creates.
REGIONAL_WRITE: list[tuple[str, list[str]]] = [
    ("ec2", ["*Vpc", "ModifyVpcAttribute", "*Subnet", "ModifySubnetAttribute", "*RouteTable", "*Route",
             "*InternetGateway", "*NatGateway", "*Address", "*SecurityGroup*",
             "*VpcEndpoint*", "CreateFlowLogs", "DeleteFlowLogs", "CreateTags", "DeleteTags",
             # The NAT instance alternative to a NAT gateway.
             "RunInstances", "TerminateInstances", "StartInstances", "StopInstances",
             "ModifyInstanceAttribute", "*LaunchTemplate*", "ModifyNetworkInterfaceAttribute"]),
    ("ecs", ["*Cluster*", "*Service*", "*TaskDefinition*", "RunTask", "TagResource", "UntagResource"]),
    # Repositories, plus the image push CI does before `pulumi up`.
    ("ecr", ["*Repository*", "*LifecyclePolicy*", "PutImageScanningConfiguration", "PutImageTagMutability",
             "TagResource", "UntagResource", "GetAuthorizationToken", "BatchCheckLayerAvailability",
             "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "BatchGetImage",
             "GetDownloadUrlForLayer"]),
    ("elasticloadbalancing", ["Create*", "Delete*", "Modify*", "Set*", "AddTags", "RemoveTags"]),
    ("rds", ["*DBInstance*", "*DBCluster*", "*DBSubnetGroup*", "*DBParameterGroup*", "AddTagsToResource",
             "RemoveTagsFromResource"]),
    ("elasticache", ["*ReplicationGroup*", "*CacheCluster*", "*CacheSubnetGroup*", "*CacheParameterGroup*",
                     "AddTagsToResource", "RemoveTagsFromResource"]),
    ("s3", ["CreateBucket", "DeleteBucket", "PutBucket*", "DeleteBucket*", "PutEncryptionConfiguration",
            "PutLifecycleConfiguration", "ListBucket*", "GetObject*", "PutObject*", "DeleteObject*",
            "AbortMultipartUpload", "ListMultipartUploadParts"]),
    ("wafv2", ["*WebACL*", "*LoggingConfiguration*", "CheckCapacity", "TagResource", "UntagResource"]),
    ("acm", ["RequestCertificate", "DeleteCertificate", "AddTagsToCertificate", "RemoveTagsFromCertificate"]),
    ("kms", ["CreateAlias", "UpdateAlias", "DeleteAlias"]),
    ("secretsmanager", ["CreateSecret", "DeleteSecret", "UpdateSecret", "PutSecretValue", "GetSecretValue",
                        "RestoreSecret", "TagResource", "UntagResource"]),
    ("logs", ["CreateLogGroup", "DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy",
              "AssociateKmsKey", "DisassociateKmsKey", "TagResource", "UntagResource", "TagLogGroup",
              "UntagLogGroup", "PutResourcePolicy", "DeleteResourcePolicy", "*Delivery*"]),
    ("cloudwatch", ["PutMetricAlarm", "DeleteAlarms", "PutDashboard", "DeleteDashboards", "TagResource",
                    "UntagResource"]),
    ("sns", ["CreateTopic", "DeleteTopic", "SetTopicAttributes", "Subscribe", "Unsubscribe",
             "SetSubscriptionAttributes", "TagResource", "UntagResource"]),
    ("application-autoscaling", ["*ScalableTarget", "*ScalingPolicy", "*ScheduledAction", "TagResource",
                                 "UntagResource"]),
    ("cloudtrail", ["CreateTrail", "DeleteTrail", "UpdateTrail", "StartLogging", "StopLogging",
                    "PutEventSelectors", "PutInsightSelectors", "AddTags", "RemoveTags"]),
]  # fmt: skip
GLOBAL_WRITE: list[tuple[str, list[str]]] = [
    ("cloudfront", ["*Distribution*", "*CachePolicy*", "*OriginRequestPolicy*", "*ResponseHeadersPolicy*",
                    "*Function*", "*OriginAccessControl*", "*VpcOrigin*", "CreateInvalidation",
                    "TagResource", "UntagResource"]),
    ("route53", ["ChangeResourceRecordSets"]),
    ("budgets", ["ModifyBudget", "TagResource", "UntagResource"]),
]  # fmt: skip

# KMS key administration and use, only on keys tagged with the deploy role's project and stack.
# CreateGrant: RDS and ElastiCache take a grant on the stack's keys; the data-key calls are what
# Secrets Manager and S3 make on the caller's behalf when it writes an encrypted value.
STACK_KEY_ACTIONS = ["kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
                     "kms:CancelKeyDeletion", "kms:UpdateKeyDescription", "kms:TagResource",
                     "kms:UntagResource", "kms:CreateGrant", "kms:Decrypt",
                     "kms:GenerateDataKey*"]  # fmt: skip
IAM_ROLE_CREATION = ["iam:CreateRole", "iam:TagRole", "iam:CreateInstanceProfile", "iam:TagInstanceProfile"]
IAM_ROLE_CHANGES = ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
                    "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:DeleteInstanceProfile",
                    "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                    "iam:UntagInstanceProfile"]  # fmt: skip
# The stack's roles are assumed by these services only (task, flow-log, RDS monitoring, CloudTrail
# and NAT-instance roles): PassRole to anything else is refused.
PASS_ROLE_SERVICES = ["cloudtrail.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
                      "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com"]  # fmt: skip
SERVICE_LINKED_ROLES = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                        "elasticache.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                        "rds.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com",
                        "wafv2.amazonaws.com"]  # fmt: skip
# The only AWS managed policies the stack attaches (RDS enhanced monitoring, NAT instances' SSM agent).
ATTACHABLE_POLICIES = ["service-role/AmazonRDSEnhancedMonitoringRole", "AmazonSSMManagedInstanceCore"]
# Never, whatever the stack grows into: long-lived credentials and account-level changes.
DENIED_EVERYWHERE = ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "organizations:*",
                     "account:*"]  # fmt: skip
# The state backend stays as bootstrap made it: versioned, encrypted, TLS-only, with its history.
STATE_BUCKET_DENIED = ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                       "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                       "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
                       "s3:PutBucketOwnershipControls", "s3:PutBucketAcl",
                       "s3:DeleteObjectVersion"]  # fmt: skip
SECRETS_KEY_DENIED = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"]


@dataclass(frozen=True)
class DeployScope:
    """Where a deploy role acts: account, regions, the app's project and stack, the state backend.

    Example::

        scope = DeployScope(partition="aws", account_id="123456789012", project="webapp",
                            regions=("eu-west-1", "us-east-1"), state_bucket_arn="arn:aws:s3:::state",
                            secrets_key_arn="arn:aws:kms:eu-west-1:123456789012:key/abcd",
                            stack="dev", protected_roles="webapp-github-*")
        documents = deploy_policies(scope)  # {"services": "{...}", ...}
    """

    partition: str
    account_id: str
    project: str
    regions: tuple[str, ...]
    state_bucket_arn: str
    secrets_key_arn: str
    # The stack a deploy role deploys (its resources carry a `stack` tag); unused for previews.
    stack: str = ""
    # The deploy roles themselves (a name pattern): no deploy role may change any of them.
    protected_roles: str = ""


def preview_policy(scope: DeployScope) -> str:
    """Read-only access, the state backend without history deletion, and the secrets key to decrypt."""
    statements = [
        _allow("ReadRegional", _actions(REGIONAL_READ), ["*"], _equals(_in_regions(scope))),
        _allow("ReadGlobal", _actions(GLOBAL_READ), ["*"]),
        _public_parameters(scope),
        *_state_backend(scope, write=False),
    ]
    return _document(statements)


def deploy_policies(scope: DeployScope) -> dict[str, str]:
    """Everything a ``pulumi up`` of the webapp stack ``scope.stack`` needs, and the denies.

    Three documents (attached as managed policies): together they exceed the 10,240 characters
    IAM allows a role's inline policies, and each stays well under a managed policy's 6,144.
    """
    roles = f"arn:{scope.partition}:iam::{scope.account_id}:role/*"
    profiles = f"arn:{scope.partition}:iam::{scope.account_id}:instance-profile/*"
    keys = f"arn:{scope.partition}:kms:*:{scope.account_id}:key/*"
    state = [scope.state_bucket_arn, f"{scope.state_bucket_arn}/*"]
    own = _tagged(scope, "aws:ResourceTag")  # the role's own stack's resources
    reads = [
        _allow("ReadRegional", _actions(REGIONAL_READ), ["*"], _equals(_in_regions(scope))),
        _allow("ReadGlobal", _actions(GLOBAL_READ), ["*"]),
        _public_parameters(scope),
        *_state_backend(scope, write=True),
    ]
    services = [
        _allow("ManageRegional", _actions(REGIONAL_WRITE), ["*"], _equals(_in_regions(scope))),
        _allow("ManageGlobal", _actions(GLOBAL_WRITE), ["*"]),
    ]
    keys_and_roles = [
        _allow("CreateStackKeys", ["kms:CreateKey"], ["*"],
               _equals(_in_regions(scope), _tagged(scope, "aws:RequestTag"))),
        _allow("ManageStackKeys", STACK_KEY_ACTIONS, [keys], _equals(_in_regions(scope), own)),
        _allow("CreateStackRoles", IAM_ROLE_CREATION, [roles, profiles],
               _equals(_tagged(scope, "aws:RequestTag"))),
        _allow("ChangeStackRoles", IAM_ROLE_CHANGES, [roles, profiles], _equals(own)),
        _allow("AttachAwsPolicies", ["iam:AttachRolePolicy"], [roles], {
            "StringEquals": own,
            "ArnEquals": {"iam:PolicyARN": [f"arn:{scope.partition}:iam::aws:policy/{p}"
                                            for p in ATTACHABLE_POLICIES]},
        }),
        _allow("PassStackRoles", ["iam:PassRole"], [roles],
               _equals(own, {"iam:PassedToService": PASS_ROLE_SERVICES})),
        _allow("CreateServiceLinkedRoles", ["iam:CreateServiceLinkedRole"],
               [f"arn:{scope.partition}:iam::{scope.account_id}:role/aws-service-role/*"],
               _equals({"iam:AWSServiceName": SERVICE_LINKED_ROLES})),
        _deny("NoLongLivedCredentialsOrAccountChanges", DENIED_EVERYWHERE, ["*"]),
        _deny("NoChangesToDeployRoles", ["iam:*"],
              [f"arn:{scope.partition}:iam::{scope.account_id}:role/{scope.protected_roles}"]),
        _deny("NoChangesToStateBucket", STATE_BUCKET_DENIED, state),
        _deny("NoChangesToSecretsKey", SECRETS_KEY_DENIED, [scope.secrets_key_arn]),
    ]  # fmt: skip
    return {
        "state-and-read": _document(reads),
        "services": _document(services),
        "keys-and-roles": _document(keys_and_roles),
    }


def _state_backend(scope: DeployScope, *, write: bool) -> list[dict[str, Any]]:
    """The state objects and the secrets key: ``pulumi login s3://...`` and ``awskms://...``.

    A preview writes no checkpoint but may take or clear a lock under ``.pulumi/locks/``, so it
    can write there and only there. Deploys write checkpoints, history and backups anywhere in
    the bucket; nobody deletes old versions (the deny in ``deploy_policies``).
    """
    bucket = scope.state_bucket_arn
    objects = [f"{bucket}/*"] if write else [f"{bucket}/.pulumi/locks/*"]
    via_s3 = _equals({"kms:ViaService": [f"s3.{r}.amazonaws.com" for r in scope.regions]})
    statements = [
        _allow("ListState", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket]),
        _allow("ReadState", ["s3:GetObject"], [f"{bucket}/*"]),
        _allow("WriteState" if write else "WriteStateLocks", ["s3:PutObject", "s3:DeleteObject"], objects),
        # Only S3 may use the key to encrypt objects; the secrets provider needs Decrypt of the
        # stack's data key, and Encrypt/GenerateDataKey when a stack is created or rekeyed.
        _allow("StateObjectsKey", ["kms:Decrypt", "kms:GenerateDataKey"], [scope.secrets_key_arn], via_s3),
    ]
    secrets = (
        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] if write else ["kms:Decrypt"]
    )
    statements.append(_allow("StackSecrets", secrets, [scope.secrets_key_arn]))
    return statements


def _public_parameters(scope: DeployScope) -> dict[str, Any]:
    # AWS's public parameters (latest AMI IDs and the like); never the account's own, which may hold secrets.
    return _allow(
        "ReadPublicParameters",
        ["ssm:GetParameter", "ssm:GetParameters"],
        [f"arn:{scope.partition}:ssm:{r}::parameter/aws/service/*" for r in scope.regions],
    )


def _actions(rows: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    return [f"{service}:{action}" for service, actions in rows for action in actions]


def _in_regions(scope: DeployScope) -> dict[str, Any]:
    return {"aws:RequestedRegion": list(scope.regions)}


def _tagged(scope: DeployScope, key: str) -> dict[str, Any]:
    return {f"{key}/project": scope.project, f"{key}/stack": scope.stack}


def _equals(*keys: dict[str, Any]) -> dict[str, Any]:
    """One StringEquals condition requiring every key given (IAM ANDs the keys of an operator)."""
    merged: dict[str, Any] = {}
    for k in keys:
        merged.update(k)
    return {"StringEquals": merged}


def _allow(
    sid: str, actions: list[str], resources: list[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}


def _document(statements: list[dict[str, Any]]) -> str:
    # Compact: fewer characters against IAM's policy size limits.
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))

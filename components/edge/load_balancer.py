"""LoadBalancer: the Application Load Balancer in front of the API service."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.metrics import LoadBalancerMetrics, ServiceMetrics
from ..core.outputs import register_declared_outputs
from ..core.wiring import LoadBalancerTarget, TrafficShiftTarget
from .alb_access_logs import LOG_PREFIX, create_access_log_bucket
from .alb_dns import alias_record, validated_certificate
from .load_balancer_args import FrontDoor, LoadBalancerArgs

# "defensive" (AWS's default) blocks requests classed as severe desync risks and closes the
# connection after ambiguous ones, which is what stops request smuggling. "strictest" also turns
# away requests that are merely not RFC 7230-clean (odd header bytes some real clients send),
# trading hard-to-debug 400s for no meaningful extra protection behind this ALB.
DESYNC_MITIGATION_MODE = "defensive"
# The test listener of traffic-shifting deployments: ECS sends test traffic to the new tasks here
# before production traffic moves; only addresses inside the VPC may connect.
TEST_LISTENER_PORT = 8080
# ECS rewrites the forward action (weights, and the single target group AWS may report for a
# 100/0 split) of the production and test rules during every traffic-shifting deployment; Pulumi
# must neither show that as drift nor put the old weights back in the middle of a deployment.
ECS_OWNED_RULE_PROPERTIES = ["actions[0].forward", "actions[0].targetGroupArn"]


@dataclass(frozen=True)
class OriginTls:
    """The name CloudFront reaches an internal (cdn-mode) ALB by over HTTPS, in a public hosted zone.

    CloudFront checks the ALB's certificate against its origin's domain name, so the ALB gets a
    certificate for ``domain`` and an alias record for it (resolving to the ALB's private addresses).

    Example::

        OriginTls(domain="origin.example.com", hosted_zone_name="example.com")
    """

    domain: str
    hosted_zone_name: str


class LoadBalancer(pulumi.ComponentResource):
    """An Application Load Balancer with one IP target group for the ECS service.

    ``frontDoor: cdn`` (default): an internal ALB in the private subnets with one HTTP:80
    listener forwarding to the target group. CloudFront reaches it through a VPC origin (a later
    component). Its security group gets NO ingress rules from this component: the CDN component
    adds the one rule admitting CloudFront's VPC-origin security group, so nothing else in the
    VPC or on the internet can reach the ALB. With ``origin_tls`` that listener is HTTPS:443
    instead, with the ``sslPolicy`` and a DNS-validated regional ACM certificate for
    ``origin_tls.domain``, and a Route 53 alias points that name at the ALB (for StaticSite's
    ``ApiOrigin.origin_domain_name``).

    ``frontDoor: direct``: an internet-facing ALB in the public subnets. HTTP:80 only answers with
    a 301 to HTTPS:443; HTTPS:443 forwards with a DNS-validated ACM certificate for ``domain``
    and a TLS 1.3 policy; a Route 53 alias points ``domain`` at the ALB. Its security group
    admits 80 and 443 from 0.0.0.0/0 and nothing else.

    With ``traffic_shifting`` (a service deploying blueGreen, canary or linear) a second target
    group, a production listener rule on the production listener forwarding 100/0 to the two
    groups, and a test listener on port 8080 (HTTPS with the same certificate in direct mode) with
    the same kind of rule. ECS owns those rules' forward weights (``ignore_changes``). With
    ``vpc_cidr`` the security group admits that CIDR on 8080, so the test listener is reachable
    from inside the VPC only; without it, from nowhere.

    Either way the security group has no egress: the ContainerService opens egress from it to its
    own security group on the container port, so the ALB can reach only that service. Invalid
    headers are dropped, desync mitigation is ``defensive``; access logs (optional) go to a
    private SSE-S3 bucket, the only stateful child, which ``protect`` guards; ``ephemeral`` (a
    stack meant to be destroyed) lets ``pulumi destroy`` delete it with its logs.

    Example::

        lb = LoadBalancer("api", LoadBalancerArgs(), vpc_id=network.vpc_id,
                          public_subnet_ids=network.public_subnet_ids,
                          private_subnet_ids=network.private_subnet_ids,
                          container_port=8000, protect=True,
                          opts=pulumi.ResourceOptions(providers={"aws": provider}))
        ContainerService("api", service_args, ..., load_balancer=lb.target)
        pulumi.export("url", lb.url)
    """

    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]
    alternate_target_group_arn_suffix: pulumi.Output[str] | None
    test_url: pulumi.Output[str] | None
    url: pulumi.Output[str]
    target: LoadBalancerTarget

    def __init__(
        self,
        name: str,
        args: LoadBalancerArgs,
        *,
        vpc_id: pulumi.Input[str],
        public_subnet_ids: pulumi.Input[Sequence[str]],
        private_subnet_ids: pulumi.Input[Sequence[str]],
        container_port: int,
        traffic_shifting: bool = False,
        vpc_cidr: pulumi.Input[str] | None = None,
        origin_tls: OriginTls | None = None,
        protect: bool = False,
        ephemeral: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if not 1 <= container_port <= 65535:
            raise ValueError(
                f"LoadBalancer {name!r}: container_port {container_port} must be from 1 to 65535"
            )
        super().__init__("webapp:index:LoadBalancer", name, None, opts)
        direct = args.front_door is FrontDoor.DIRECT
        self._security_group(name, vpc_id, direct)
        access_logs, logs_ready = self._access_logs(name, args, protect, ephemeral)
        self._alb(
            name, args, direct, public_subnet_ids if direct else private_subnet_ids, access_logs, logs_ready
        )
        self._target_group(name, args, vpc_id, container_port)
        self._certificate_arn: pulumi.Output[str] | None = None
        if direct:
            self.listener = self._https(name, args)
        elif origin_tls is not None:
            self.listener = self._origin_https(name, args, origin_tls)
        else:
            self.listener = self._http_forward(name)
        self.alternate_target_group_arn_suffix = None
        self.test_url = None
        shift = (
            self._traffic_shifting(name, args, vpc_id, container_port, direct, vpc_cidr)
            if traffic_shifting
            else None
        )
        self.target = LoadBalancerTarget(
            target_group_arn=self.target_group.arn,
            security_group_id=self.security_group.id,
            listener=self.listener,
            resource_label=pulumi.Output.concat(self.alb.arn_suffix, "/", self.target_group.arn_suffix),
            traffic_shift=shift,
        )
        register_declared_outputs(self)

    def metrics(self, service: ServiceMetrics | None = None) -> LoadBalancerMetrics:
        """What Monitoring watches: this ALB and its target group, with the ``service`` registered there.

        Example::

            MonitoringTargets(load_balancer=load_balancer.metrics(api.metrics), ...)
        """
        return LoadBalancerMetrics(
            arn_suffix=self.arn_suffix,
            target_group_arn_suffix=self.target_group_arn_suffix,
            service=service,
            alternate_target_group_arn_suffix=self.alternate_target_group_arn_suffix,
        )

    def _security_group(self, name: str, vpc_id: pulumi.Input[str], direct: bool) -> None:
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-alb",
            description=(
                "ALB: HTTP/HTTPS from the internet" if direct else "ALB: ingress only from the CDN VPC origin"
            ),
            vpc_id=vpc_id,
            # No inline ingress/egress: rules are separate resources, some owned by other
            # components, and inline rules would revert those on every update. The provider
            # deletes AWS's default allow-all egress rule when it creates the group.
            tags={"Name": f"{name}-alb"},
            opts=child,
        )
        self.security_group_id = self.security_group.id
        if direct:
            self._public_ingress(name)

    def _access_logs(
        self, name: str, args: LoadBalancerArgs, protect: bool, ephemeral: bool
    ) -> tuple[aws.lb.LoadBalancerAccessLogsArgs | None, list[pulumi.Resource]]:
        """The optional access-log bucket; the ALB waits for its policy (ELB checks it can write)."""
        access_logs: aws.lb.LoadBalancerAccessLogsArgs | None = None
        logs_ready: list[pulumi.Resource] = []
        self.access_log_bucket: aws.s3.Bucket | None = None
        if args.access_logs.enabled:
            logs = create_access_log_bucket(
                name, args.access_logs.retention_days, parent=self, protect=protect, force_destroy=ephemeral
            )
            self.access_log_bucket = logs.bucket
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(
                bucket=logs.bucket.bucket, enabled=True, prefix=LOG_PREFIX
            )
            logs_ready.append(logs.policy)

        return access_logs, logs_ready

    def _alb(
        self,
        name: str,
        args: LoadBalancerArgs,
        direct: bool,
        subnet_ids: pulumi.Input[Sequence[str]],
        access_logs: aws.lb.LoadBalancerAccessLogsArgs | None,
        logs_ready: list[pulumi.Resource],
    ) -> None:
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=not direct,
            subnets=subnet_ids,
            security_groups=[self.security_group.id],
            ip_address_type="ipv4",
            drop_invalid_header_fields=True,
            desync_mitigation_mode=DESYNC_MITIGATION_MODE,
            idle_timeout=args.idle_timeout_seconds,
            enable_deletion_protection=args.deletion_protection,
            access_logs=access_logs,
            tags={"Name": f"{name}-alb"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=logs_ready),
        )
        self.arn = self.alb.arn
        self.arn_suffix = self.alb.arn_suffix
        self.dns_name = self.alb.dns_name
        self.zone_id = self.alb.zone_id

    def _target_group(
        self, name: str, args: LoadBalancerArgs, vpc_id: pulumi.Input[str], container_port: int
    ) -> None:
        self.target_group = self._new_target_group(f"{name}-tg", args, vpc_id, container_port)
        self.target_group_arn = self.target_group.arn
        self.target_group_arn_suffix = self.target_group.arn_suffix

    def _new_target_group(
        self, resource_name: str, args: LoadBalancerArgs, vpc_id: pulumi.Input[str], container_port: int
    ) -> aws.lb.TargetGroup:
        child = pulumi.ResourceOptions(parent=self)
        health = args.health_check
        return aws.lb.TargetGroup(
            resource_name,
            target_type="ip",
            protocol="HTTP",
            port=container_port,
            vpc_id=vpc_id,
            deregistration_delay=args.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=health.path,
                matcher=health.matcher,
                interval=health.interval_seconds,
                timeout=health.timeout_seconds,
                healthy_threshold=health.healthy_threshold,
                unhealthy_threshold=health.unhealthy_threshold,
            ),
            tags={"Name": resource_name},
            opts=child,
        )

    def _traffic_shifting(
        self,
        name: str,
        args: LoadBalancerArgs,
        vpc_id: pulumi.Input[str],
        container_port: int,
        direct: bool,
        vpc_cidr: pulumi.Input[str] | None,
    ) -> TrafficShiftTarget:
        """The alternate target group, the production and test rules ECS shifts, the test listener."""
        child = pulumi.ResourceOptions(parent=self)
        alternate = self._new_target_group(f"{name}-tg-alt", args, vpc_id, container_port)
        self.alternate_target_group = alternate
        self.alternate_target_group_arn_suffix = alternate.arn_suffix
        production_rule = self._shifted_rule(f"{name}-production", self.listener, alternate)
        # HTTPS whenever production has a certificate (direct mode, or cdn mode with origin TLS): the
        # pack refuses a plain-HTTP listener that serves where production is encrypted; otherwise
        # HTTP like the internal production listener.
        secure = self._certificate_arn is not None
        self.test_listener = aws.lb.Listener(
            f"{name}-test",
            load_balancer_arn=self.alb.arn,
            port=TEST_LISTENER_PORT,
            protocol="HTTPS" if secure else "HTTP",
            ssl_policy=args.ssl_policy if secure else None,
            certificate_arn=self._certificate_arn,
            # Every request matches the test rule; anything else would be a bug worth a clear 404.
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                        content_type="text/plain", message_body="no test route", status_code="404"
                    ),
                )
            ],
            opts=child,
        )
        test_rule = self._shifted_rule(f"{name}-test", self.test_listener, alternate)
        if vpc_cidr is not None:
            # The test listener answers only inside the VPC: the new version is tried there before
            # production traffic moves (the pack's ec2-alb-ingress-matches-front-door allows private
            # addresses on a test listener's port and nothing else beyond the front door).
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-test",
                security_group_id=self.security_group.id,
                description="Blue/green test listener, from inside the VPC only",
                ip_protocol="tcp",
                from_port=TEST_LISTENER_PORT,
                to_port=TEST_LISTENER_PORT,
                cidr_ipv4=vpc_cidr,
                opts=child,
            )
        scheme = "https://" if secure else "http://"
        self.test_url = pulumi.Output.concat(scheme, self.alb.dns_name, f":{TEST_LISTENER_PORT}")
        return TrafficShiftTarget(
            alternate_target_group_arn=alternate.arn,
            production_rule_arn=production_rule.arn,
            test_rule_arn=test_rule.arn,
            rules=(production_rule, test_rule),
        )

    def _shifted_rule(
        self, resource_name: str, listener: aws.lb.Listener, alternate: aws.lb.TargetGroup
    ) -> aws.lb.ListenerRule:
        """A rule every request matches, forwarding 100/0 to the target groups until ECS shifts it."""
        return aws.lb.ListenerRule(
            resource_name,
            listener_arn=listener.arn,
            priority=1,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"])
                )
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="forward",
                    forward=aws.lb.ListenerRuleActionForwardArgs(
                        target_groups=[
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                                arn=self.target_group.arn, weight=100
                            ),
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=alternate.arn, weight=0),
                        ]
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ECS_OWNED_RULE_PROPERTIES),
        )

    def _http_forward(self, name: str) -> aws.lb.Listener:
        """frontDoor cdn: one HTTP:80 listener forwarding to the target group (CloudFront terminates TLS)."""
        listener = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.url = pulumi.Output.concat("http://", self.alb.dns_name)
        return listener

    def _origin_https(self, name: str, args: LoadBalancerArgs, origin: OriginTls) -> aws.lb.Listener:
        """frontDoor cdn with origin TLS: HTTPS:443 for ``origin.domain``, its certificate and alias."""
        zone_id = aws.route53.get_zone_output(
            name=origin.hosted_zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        ).zone_id
        # Regional (this provider's region, the ALB's): only CloudFront's viewer certificate must
        # come from us-east-1.
        certificate_arn = validated_certificate(f"{name}-origin", origin.domain, zone_id, parent=self)
        self._certificate_arn = certificate_arn
        listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=args.ssl_policy,
            certificate_arn=certificate_arn,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
            ],
            # The HTTP:80 listener of a stack turning originTls on becomes this one: ALB changes a
            # listener's port and protocol in place, so its ARN, and the blue/green rules and ECS
            # configuration that name it, stay valid.
            opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(name=f"{name}-http")]),
        )
        # The name must resolve for CloudFront and match the certificate; the public zone then
        # publishes the ALB's private addresses, which nothing outside the VPC can reach.
        alias = alias_record(f"{name}-origin", origin.domain, zone_id, self.alb, parent=self)
        self.url = pulumi.Output.concat("https://", alias.name)
        return listener

    def _public_ingress(self, name: str) -> None:
        for port, what in ((80, "HTTP (redirected to HTTPS)"), (443, "HTTPS")):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-{port}",
                security_group_id=self.security_group.id,
                description=f"{what} from the internet",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4="0.0.0.0/0",
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _https(self, name: str, args: LoadBalancerArgs) -> aws.lb.Listener:
        """HTTP->HTTPS redirect, the HTTPS listener with its certificate, and the DNS alias."""
        assert args.domain is not None and args.hosted_zone_name is not None  # the args model checked
        child = pulumi.ResourceOptions(parent=self)
        zone_id = aws.route53.get_zone_output(
            name=args.hosted_zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        ).zone_id
        certificate_arn = validated_certificate(name, args.domain, zone_id, parent=self)
        self._certificate_arn = certificate_arn

        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        port="443", protocol="HTTPS", status_code="HTTP_301"
                    ),
                )
            ],
            opts=child,
        )
        https = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=args.ssl_policy,
            certificate_arn=certificate_arn,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
            ],
            opts=child,
        )
        alias = alias_record(name, args.domain, zone_id, self.alb, parent=self)
        self.url = pulumi.Output.concat("https://", alias.name)
        return https

"""Route 53 pieces of the direct front door: the DNS-validated certificate and the domain's alias."""

import pulumi
import pulumi_aws as aws


def validated_certificate(
    name: str, domain: str, zone_id: pulumi.Input[str], *, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """Request an ACM certificate for ``domain``, validate it in the zone, return its ARN once issued.

    Example::

        certificate_arn = validated_certificate("api", "api.example.com", zone.zone_id, parent=self)
        aws.lb.Listener(..., protocol="HTTPS", certificate_arn=certificate_arn)
    """
    child = pulumi.ResourceOptions(parent=parent)
    # Pulumi replaces a certificate create-before-delete, so a listener never points at a
    # deleted one.
    certificate = aws.acm.Certificate(
        f"{name}-cert",
        domain_name=domain,
        validation_method="DNS",
        tags={"Name": domain},
        opts=child,
    )
    # A certificate for one name has exactly one validation option, so its record is declared
    # here (visible in previews) rather than created inside an apply.
    option = certificate.domain_validation_options.apply(lambda options: options[0])
    record = aws.route53.Record(
        f"{name}-cert-validation",
        zone_id=zone_id,
        name=option.apply(lambda o: o.resource_record_name or ""),
        type=option.apply(lambda o: o.resource_record_type or "CNAME"),
        records=[option.apply(lambda o: o.resource_record_value or "")],
        ttl=60,
        # ACM reuses one validation CNAME per name and account, so an earlier certificate for
        # this domain may have left the identical record behind.
        allow_overwrite=True,
        opts=child,
    )
    validation = aws.acm.CertificateValidation(
        f"{name}-cert",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=child,
    )
    # The validation's ARN, not the certificate's: whoever uses it waits until ACM has issued it.
    return validation.certificate_arn


def alias_record(
    name: str, domain: str, zone_id: pulumi.Input[str], alb: aws.lb.LoadBalancer, *, parent: pulumi.Resource
) -> aws.route53.Record:
    """An A alias ``domain`` -> ``alb`` (free, follows the ALB's changing addresses).

    Example::

        alias = alias_record("api", "api.example.com", zone.zone_id, alb, parent=self)
    """
    return aws.route53.Record(
        f"{name}-alias",
        zone_id=zone_id,
        name=domain,
        type="A",
        aliases=[
            aws.route53.RecordAliasArgs(name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True)
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )

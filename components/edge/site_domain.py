"""SiteDomain: the static site's custom domain (us-east-1 certificate, DNS validation, aliases)."""

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from .site_domain_args import SiteDomainArgs


class SiteDomain(pulumi.ComponentResource):
    """A DNS-validated ACM certificate for the site's domain and, on request, its Route 53 aliases.

    CloudFront only accepts certificates from us-east-1, so pass a us-east-1 AWS provider in
    ``opts``; Route 53 is global, so the same provider also writes the validation and alias
    records in the public zone ``hostedZoneName``. The certificate covers ``domain`` and, with
    ``redirectWww``, ``www.<domain>``; ``aliases`` and ``certificate_arn`` go to StaticSite, and
    ``canonical_host`` tells StaticSite to redirect www. to the apex.

    Example::

        us_east_1 = aws.Provider("aws-us-east-1", region="us-east-1")
        domain = SiteDomain("site", SiteDomainArgs(domain="example.com", hosted_zone_name="example.com"),
                            opts=pulumi.ResourceOptions(providers={"aws": us_east_1}))
        site = StaticSite("site", site_args, api=None, certificate_arn=domain.certificate_arn,
                          aliases=domain.aliases, canonical_host=domain.canonical_host)
        domain.point_at(site.domain_name, site.hosted_zone_id)
    """

    certificate_arn: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    aliases: list[str]
    canonical_host: str | None

    def __init__(
        self, name: str, args: SiteDomainArgs, *, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webapp:index:SiteDomain", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        www = args.www_domain
        # Resource-name label -> DNS name, for the records made per name.
        self._names = {"apex": args.domain, **({"www": www} if www else {})}
        self.aliases = list(self._names.values())
        # Without a second name there is nothing to redirect, so StaticSite needs no host check.
        self.canonical_host = args.domain if www else None

        zone = aws.route53.get_zone_output(
            name=args.hosted_zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.zone_id = zone.zone_id

        # Pulumi replaces a certificate create-before-delete, so the distribution never points at
        # a deleted one.
        self.certificate = aws.acm.Certificate(
            f"{name}-cert",
            domain_name=args.domain,
            subject_alternative_names=[www] if www else None,
            validation_method="DNS",
            key_algorithm="RSA_2048",
            tags={"Name": args.domain},
            opts=child,
        )
        # The names are known before deploy, so one record per name is declared here (visible in
        # previews) and picks its own validation option once ACM reports them.
        self.validation_records = [
            self._validation_record(label, alias) for label, alias in self._names.items()
        ]
        self.validation = aws.acm.CertificateValidation(
            f"{name}-cert",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[record.fqdn for record in self.validation_records],
            opts=child,
        )
        # The validation's ARN, not the certificate's: the distribution waits until ACM issued it.
        self.certificate_arn = self.validation.certificate_arn
        register_declared_outputs(self)

    def _validation_record(self, label: str, domain: str) -> aws.route53.Record:
        option = self.certificate.domain_validation_options.apply(
            lambda options: next(o for o in options if o.domain_name == domain)
        )
        return aws.route53.Record(
            f"{self._name}-cert-validation-{label}",
            zone_id=self.zone_id,
            name=option.apply(lambda o: o.resource_record_name or ""),
            type=option.apply(lambda o: o.resource_record_type or "CNAME"),
            records=[option.apply(lambda o: o.resource_record_value or "")],
            ttl=60,
            # ACM reuses one validation CNAME per name and account, so an earlier certificate for
            # this name may have left the identical record behind.
            allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def point_at(
        self, distribution_domain_name: pulumi.Input[str], distribution_zone_id: pulumi.Input[str]
    ) -> list[aws.route53.Record]:
        """A and AAAA alias records for every alias, pointing at a CloudFront distribution.

        Call once; a second call would register the same record names twice.

        Example::

            domain.point_at(site.domain_name, site.hosted_zone_id)
        """
        target = aws.route53.RecordAliasArgs(
            name=distribution_domain_name,
            zone_id=distribution_zone_id,
            # CloudFront aliases cannot evaluate target health (Route 53 rejects true for them).
            evaluate_target_health=False,
        )
        return [
            aws.route53.Record(
                f"{self._name}-{label}-{record_type.lower()}",
                zone_id=self.zone_id,
                name=alias,
                type=record_type,
                aliases=[target],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for label, alias in self._names.items()
            # AAAA as well: the distribution has IPv6 enabled.
            for record_type in ("A", "AAAA")
        ]

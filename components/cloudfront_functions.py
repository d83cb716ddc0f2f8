"""CloudFront Functions of the static site: their JavaScript source and a builder."""

import pulumi
import pulumi_aws as aws

RUNTIME = "cloudfront-js-2.0"

# Single-page-app routing at the edge: a path whose last segment has no "." (/, /about,
# /users/42) is a client-side route, so the viewer gets /index.html and the app's router takes
# over. Anything with an extension (/assets/app.3f2a.js, /favicon.ico) is fetched as is, so a
# missing file stays a 404 instead of an HTML page served as JavaScript. Doing this per request
# rather than with a distribution-wide 403/404 -> index.html error page keeps real errors from
# other origins (the API) intact.
SPA_FALLBACK_JS = """\
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var lastSegment = uri.substring(uri.lastIndexOf("/") + 1);
    if (lastSegment.indexOf(".") === -1) {
        request.uri = "/index.html";
    }
    return request;
}
"""


def spa_fallback_function(name: str, *, parent: pulumi.Resource) -> aws.cloudfront.Function:
    """The viewer-request function that rewrites extension-less paths to ``/index.html``.

    Example::

        fn = spa_fallback_function("site", parent=self)
        DistributionDefaultCacheBehaviorFunctionAssociationArgs(event_type="viewer-request",
                                                                function_arn=fn.arn)
    """
    return aws.cloudfront.Function(
        f"{name}-spa-fallback",
        runtime=RUNTIME,
        code=SPA_FALLBACK_JS,
        comment="Rewrites extension-less paths (client-side routes) to /index.html",
        # Only the published (LIVE) stage can be associated with a distribution.
        publish=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )

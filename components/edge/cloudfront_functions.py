"""CloudFront Functions of the static site: their JavaScript source and a builder."""

import json

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

# One host serves the site: any other Host (www., the *.cloudfront.net name) gets a permanent
# redirect to the same path and query on the canonical host. CloudFront hands the function the
# query as an object ({key: {value, multiValue?}}) with keys and values as the viewer sent them
# (still percent-encoded), so they are joined back without re-encoding, repeated keys included.
# The lookups are case-insensitive because DNS names are, and browsers may send any case.
_REDIRECT_JS = """\
var CANONICAL_HOST = {host};

function queryString(querystring) {{
    var parts = [];
    for (var key in querystring) {{
        var param = querystring[key];
        var values = param.multiValue ? param.multiValue : [param];
        for (var i = 0; i < values.length; i++) {{
            parts.push(key + "=" + values[i].value);
        }}
    }}
    return parts.length > 0 ? "?" + parts.join("&") : "";
}}

function handler(event) {{
    var request = event.request;
    var host = request.headers.host ? request.headers.host.value.toLowerCase() : "";
    if (host !== CANONICAL_HOST) {{
        var target = "https://" + CANONICAL_HOST + request.uri + queryString(request.querystring);
        return {{
            statusCode: 301,
            statusDescription: "Moved Permanently",
            headers: {{ location: {{ value: target }} }},
        }};
    }}
{rest}}}
"""

_SPA_REWRITE_BODY = """\
    var uri = request.uri;
    var lastSegment = uri.substring(uri.lastIndexOf("/") + 1);
    if (lastSegment.indexOf(".") === -1) {
        request.uri = "/index.html";
    }
"""


def viewer_request_code(*, spa_fallback: bool, canonical_host: str | None) -> str | None:
    """The viewer-request JavaScript for these settings, or None when nothing needs a function.

    CloudFront allows one viewer-request function per behaviour, so the redirect and the SPA
    rewrite share one function: the redirect first (a www. request never reaches the rewrite).

    Example::

        viewer_request_code(spa_fallback=True, canonical_host="example.com")
    """
    if canonical_host is None:
        return SPA_FALLBACK_JS if spa_fallback else None
    rest = _SPA_REWRITE_BODY if spa_fallback else ""
    return _REDIRECT_JS.format(host=json.dumps(canonical_host.lower()), rest=rest + "    return request;\n")


def viewer_request_function(
    name: str, *, spa_fallback: bool, canonical_host: str | None, parent: pulumi.Resource
) -> aws.cloudfront.Function | None:
    """The site's viewer-request function (redirect to ``canonical_host`` and/or SPA rewrite), if any.

    Without a canonical host the resource keeps its original name, ``<name>-spa-fallback``, so
    stacks without a custom domain see no change.

    Example::

        fn = viewer_request_function("site", spa_fallback=True, canonical_host="example.com",
                                     parent=self)
        DistributionDefaultCacheBehaviorFunctionAssociationArgs(event_type="viewer-request",
                                                                function_arn=fn.arn)
    """
    code = viewer_request_code(spa_fallback=spa_fallback, canonical_host=canonical_host)
    if code is None:
        return None
    if canonical_host is None:
        suffix, comment = "spa-fallback", "Rewrites extension-less paths (client-side routes) to /index.html"
    else:
        suffix = "viewer-request"
        routes = "; SPA routes to /index.html" if spa_fallback else ""
        comment = f"Redirects other hosts to {canonical_host}{routes}"[:128]  # CloudFront's limit
    return aws.cloudfront.Function(
        f"{name}-{suffix}",
        runtime=RUNTIME,
        code=code,
        comment=comment,
        # Only the published (LIVE) stage can be associated with a distribution.
        publish=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENVIRONMENT or settings.DEBUG:
        return []
    return [Error("DJANGO_SECRET_KEY is not set.", hint="Set it in the environment.", id="glabella.E001")]


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    # Emailed links and the verification URL printed (and QR-coded) on certificates.
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in emails and on certificates would not use HTTPS.",
            hint="Set SITE_URL to the site's https:// address.",
            id="glabella.W001",
        )
    ]


@register(Tags.security, deploy=True)
def content_security_policy(app_configs, **kwargs):
    policy = getattr(settings, "SECURE_CSP", None) or {}
    middleware = "core.middleware.ContentSecurityPolicyMiddleware"
    script_src = policy.get("script-src", policy.get("default-src", []))
    if middleware in settings.MIDDLEWARE and policy and "'unsafe-inline'" not in script_src:
        return []
    return [
        Warning(
            "No Content-Security-Policy that refuses inline scripts.",
            hint=f"Keep {middleware} in MIDDLEWARE and SECURE_CSP without 'unsafe-inline' in script-src.",
            id="glabella.W002",
        )
    ]

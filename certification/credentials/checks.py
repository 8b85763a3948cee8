"""A system check: warn when certificates could not be signed (no active key)."""

from django.core.checks import Warning, register

from . import keys


@register()
def credential_keys_check(app_configs=None, **kwargs):
    try:
        keys.key_active()
    except keys.NoActiveKey:
        where = keys.source() or "neither CREDENTIAL_KEYS nor CREDENTIAL_KEYS_FILE is set"
        return [
            Warning(
                "No active key signs certificates' credentials: every certificate render will fail.",
                hint=f"Keys come from {where}. Run `manage.py credential_keys generate`.",
                id="certification.W001",
            )
        ]
    except keys.KeyStoreError as error:
        return [Warning(str(error), hint="Fix the key store (README: Signed credentials).", id="certification.W002")]
    return []

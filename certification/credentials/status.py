"""credentialStatus entries of a certificate's credential.

Placeholder: replaced by the status-list branch (issue 17, Bitstring Status Lists).
"""


def status_entries(certificate):
    return []

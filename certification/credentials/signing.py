# placeholder: the signing branch replaces this file at merge


def sign_credential(document: dict) -> dict:
    return document

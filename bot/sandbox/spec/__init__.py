"""Discord's OpenAPI document (``openapi.json``), MIT-licensed (``LICENSE``); ``SOURCE`` names
the repository and commit it was taken from. Read it with ``validation.read_bundled_spec``."""

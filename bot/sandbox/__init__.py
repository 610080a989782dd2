"""A local Discord for tests and ``newsbot sandbox``: the unmodified discord.py client talks
to it over real sockets on 127.0.0.1, and every request is checked the way Discord would.

- ``emulator.py``    the ``Emulator`` (world, record, injection: ``emulator.user().slash(...)``)
- ``gateway.py``     gateway v10 websocket (READY/RESUME/op 7, zlib- and zstd-stream,
                     shards, closes and INVALID_SESSION on command)
- ``rest.py``        the REST routes a bot uses, with Discord's errors
- ``validation.py``  the OpenAPI spec (jsonschema, formats checked) plus the rules it lacks
- ``spec/``          Discord's OpenAPI document (MIT), shipped with the package
- ``uploads.py``     multipart files (``files[n]``), PNG sizes, ``--save-attachments``
- ``faults.py``      REST failures on command (429, 5xx before or after the effect)
- ``interactions.py``  INTERACTION_CREATE payloads built from the synced commands
- ``replies.py``     awaitable handles and the ``Reply`` they yield
- ``transport.py``   how the client reaches it: a connector (loopback resolver + local cert)
- ``harness.py``     ``connected_bot(emulator, bot)``; ``fixtures.py`` the pytest plugin
- ``clock.py``       the virtual clock deadlines are judged by
- ``render.py``, ``terminal.py``, ``cli.py``  the ``newsbot sandbox`` prompt

Nothing here imports discord.py except through the bot it runs (and ``bench.py``).
"""

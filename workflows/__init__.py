"""Officer workflows: the rules around a write that are not SQL — who may make it (core.roles),
the audit row, the message to the citizen — above `storage`, which they call and never bypass.

The console, the CLI, the officers' Telegram chat and the SIPD import all come through here, so a
rule is changed once for every writer.
"""

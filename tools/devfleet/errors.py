"""The one exception type the orchestrator raises, so the CLI can print it without a traceback."""


class FleetError(RuntimeError):
    """Something the developer must fix (a busy port, a failed migration ...); the message says what."""

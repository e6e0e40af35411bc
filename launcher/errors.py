"""What the launcher raises; every message says what to do about it."""


class LauncherError(RuntimeError):
    """A component could not be prepared, started, reached or stopped."""


class MissingBinaryError(LauncherError):
    """A system program is missing; the message names the Debian package to install."""

    def __init__(self, program: str, package: str) -> None:
        super().__init__(
            f"{program} not found: install the Debian package {package!r} "
            f"(apt-get install {package}; ./chorus installs it when run as root)"
        )
        self.program = program
        self.package = package

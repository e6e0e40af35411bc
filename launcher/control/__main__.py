"""`python -m launcher.control`: serve cluster control for the stack of `CHORUS_STATE_DIR`."""

import os
import sys

import uvicorn

from ..cli import load_stack
from ..errors import LauncherError
from ..state import OPERATOR
from . import create_app


def main() -> int:
    try:
        stack = load_stack(os.environ, for_up=False)
    except LauncherError as exc:
        print(f"launcher.control: {exc}", file=sys.stderr)
        return 2
    token = stack.secrets.agent_tokens[OPERATOR]
    app = create_app(stack, token)
    uvicorn.run(app, host="127.0.0.1", port=stack.config.ports.control, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())

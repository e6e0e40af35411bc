"""What `./chorus node ACTION a|b|c` and cluster control do to one text node."""

import signal
from typing import Literal

from .errors import LauncherError
from .stack import Stack

NodeAction = Literal["stop", "start", "kill", "freeze", "thaw"]
NODE_ACTIONS: tuple[NodeAction, ...] = ("stop", "start", "kill", "freeze", "thaw")


class NotRunningError(LauncherError):
    """The node has no process to stop, kill, freeze or thaw."""


def act(stack: Stack, action: NodeAction, letter: str) -> str:
    """Do `action` on node `letter`; what was done, in words.

    start launches the process (or finds it running) and returns at once; stop waits for a
    clean exit; kill is SIGKILL, freeze SIGSTOP, thaw SIGCONT.
    """
    component = stack.node(letter)
    if action == "start":
        return component.launch()
    pid = component.pid()
    if pid is None:
        raise NotRunningError(f"узел {letter} не запущен")
    if action == "stop":
        component.stop()
    elif action == "kill":
        component.kill()
    else:
        component.send(signal.SIGSTOP if action == "freeze" else signal.SIGCONT)
    return f"{action} done"

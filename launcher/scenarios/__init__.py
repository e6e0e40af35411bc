"""`./chorus scenario 1..7|all`: the spec's user scenarios, replayed on the running system.

Each scenario talks HTTP to the balancer as a client would (node actions go through the
launcher, like `./chorus node`), and prints a timeline in Russian: what happened, seconds after
the scenario began. Scenarios that write run on a document of their own; the user's document
and running agents are remembered first and put back afterwards (also after a failure or
Ctrl-C). Each scenario leaves the system as it found it: a lowered token budget is restored,
a killed node restarted, agents stopped by the budget started again.

1 initialisation   a new document through POST /api/document/init, agents started on it
2 agent work       an agent's cycle: read, LLM, edit, chat message
3 edit processing  an accepted edit, a conflicting one rejected, refused bad input
4 replication      one edit seen on all three nodes, with the acknowledging peers
5 node failure     node b killed for 6 s, writes continue through nginx, restart, catch-up
6 budget           the limit lowered to what is spent: every agent gets 429 and stops; the
                   state held 15 s; the limit and the agents restored
7 viewing          what the dashboard polls, summarised
"""

from ._run import READ_ONLY, RESTORING, SCENARIOS, TITLES, run
from ._session import EDITOR, Scenario, ScenarioError, Timeline

__all__ = [
    "EDITOR",
    "READ_ONLY",
    "RESTORING",
    "SCENARIOS",
    "TITLES",
    "Scenario",
    "ScenarioError",
    "Timeline",
    "run",
]

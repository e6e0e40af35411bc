import { getClusterControl, getNodeHealth, getNodeState, getTextSession } from "@/lib/api";
import { NODES } from "@/lib/nodes";
import type { ClusterControl, NodeHealth, NodeName, NodeState, TextSessionState } from "@/lib/types";

export interface NodeView {
  name: NodeName;
  location: string;
  health: NodeHealth;
  /** null while the node does not answer. */
  state: NodeState | null;
}

export interface ClusterView {
  nodes: NodeView[];
  /** The launcher's process control: null where the stack has none (not local). */
  control: ClusterControl | null;
  controlError?: Error;
  /** This browser's session with the Text Service (null when the dashboard did not say). */
  session: TextSessionState | null;
}

/** A node that does not answer within this long counts as down for this poll (a frozen node
 * keeps its socket open: without a limit one poll would wait for nginx's timeout). */
export const NODE_TIMEOUT_MS = 1500;

/** `signal`, also aborted after `ms` (with a TimeoutError, which the callers read as "no answer"). */
function withTimeout(signal: AbortSignal, ms: number): AbortSignal {
  const timer = AbortSignal.timeout(ms);
  if (typeof AbortSignal.any === "function") return AbortSignal.any([signal, timer]);
  const controller = new AbortController();
  const abort = (source: AbortSignal) => () => controller.abort(source.reason);
  signal.addEventListener("abort", abort(signal), { once: true });
  timer.addEventListener("abort", abort(timer), { once: true });
  return controller.signal;
}

/** Health and state of the three nodes, each read directly (/nodes/x/...), the control, and
 * this browser's session (shown next to each node's watermark). */
export async function loadCluster(outer: AbortSignal): Promise<ClusterView> {
  const signal = withTimeout(outer, NODE_TIMEOUT_MS);
  const nodes = Promise.all(
    NODES.map(async ({ name, location }) => {
      const [health, state] = await Promise.all([
        getNodeHealth(name, { signal }),
        getNodeState(name, { signal }).catch(() => null),
      ]);
      return { name, location, health, state };
    }),
  );
  const session = getTextSession({ signal }).catch(() => null); // the view shows "unknown"
  let control: ClusterControl | null = null;
  let controlError: Error | undefined;
  try {
    control = await getClusterControl({ signal: outer });
  } catch (error) {
    controlError = error as Error;
  }
  return { nodes: await nodes, control, controlError, session: await session };
}

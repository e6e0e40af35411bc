import { getClusterControl, getNodeHealth, getNodeState } from "@/lib/api";
import { NODES } from "@/lib/nodes";
import type { ClusterControl, NodeHealth, NodeName, NodeState } from "@/lib/types";

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
}

/** Health and state of the three nodes, each read directly (/nodes/x/...), and the control. */
export async function loadCluster(signal: AbortSignal): Promise<ClusterView> {
  const nodes = Promise.all(
    NODES.map(async ({ name, location }) => {
      const [health, state] = await Promise.all([
        getNodeHealth(name, { signal }),
        getNodeState(name, { signal }).catch(() => null),
      ]);
      return { name, location, health, state };
    }),
  );
  let control: ClusterControl | null = null;
  let controlError: Error | undefined;
  try {
    control = await getClusterControl({ signal });
  } catch (error) {
    controlError = error as Error;
  }
  return { nodes: await nodes, control, controlError };
}

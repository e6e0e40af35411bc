import { ClusterView } from "@/ui/cluster/cluster-view";

export const metadata = { title: "Кластер — Chorus" };

export default function ClusterPage() {
  return <ClusterView />;
}

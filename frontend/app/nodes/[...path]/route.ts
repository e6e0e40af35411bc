import { proxyRoute } from "@/lib/proxy";

export const dynamic = "force-dynamic";

/** /nodes/{a,b,c}/... → one node through the balancer, read-only (the cluster view). */
export const { GET, HEAD } = proxyRoute("/nodes");

import { proxyRoute } from "@/lib/proxy";

export const dynamic = "force-dynamic";

/** /api/... → the balancer's /api/... (writes with the operator token, added here). */
export const { GET, POST, PUT, PATCH, DELETE, HEAD } = proxyRoute("/api");

import { AnalyticsDashboard } from "@/ui/analytics/analytics-dashboard";

export const metadata = { title: "Аналитика — Chorus" };

export default function AnalyticsPage() {
  return <AnalyticsDashboard />;
}

import type { DashboardSpec } from './panel.ts';
import { PROXY_TRAFFIC_DASHBOARD } from './proxy-traffic-dashboard.ts';
import { SLO_DASHBOARD } from './slo-dashboard.ts';

/** Every dashboard, in the order the generated files list them. */
export const DASHBOARD_SPECS: readonly DashboardSpec[] = [PROXY_TRAFFIC_DASHBOARD, SLO_DASHBOARD];

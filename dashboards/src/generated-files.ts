import { DASHBOARD_SPECS } from './dashboard-specs.ts';
import { grafanaDashboard } from './grafana/dashboard.ts';
import { provisioningDashboards, provisioningDatasources } from './grafana/provisioning.ts';
import { kibanaSavedObjects, toNdjson } from './kibana/saved-objects.ts';

/** The command that rewrites the generated files (run from the repository root). */
export const BUILD_COMMAND = 'node dashboards/src/build.ts';

/**
 * Every generated file, path (relative to the dashboards package) → content. Pure: the same
 * code gives byte-identical files.
 */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('generated/kibana.ndjson', toNdjson(kibanaSavedObjects(DASHBOARD_SPECS)));
  for (const spec of DASHBOARD_SPECS) {
    files.set(`generated/grafana/${spec.key}.json`, JSON.stringify(grafanaDashboard(spec), null, 2) + '\n');
  }
  files.set('generated/grafana/provisioning/datasources/lookout.yaml', provisioningDatasources());
  files.set('generated/grafana/provisioning/dashboards/lookout.yaml', provisioningDashboards());
  return files;
}

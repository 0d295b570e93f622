import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapIndexBody, portableTemplate, sloStatusMappings, sloTransitionMappings } from '@lookout/telemetry';
import { DASHBOARD_SPECS } from '../src/dashboard-specs.ts';
import { grafanaSearch, type GrafanaTargetJson, type GrafanaTransformation } from '../src/elasticsearch/grafana-request.ts';
import { lensSearch, type PanelSearch } from '../src/elasticsearch/lens-request.ts';
import { DISCOVER_SAMPLE_SIZE, savedSearchSearch } from '../src/elasticsearch/saved-search-request.ts';
import type { SearchWindow } from '../src/elasticsearch/search-window.ts';
import { grafanaDashboard } from '../src/grafana/dashboard.ts';
import { RAW_DATA_SIZE } from '../src/grafana/elasticsearch-target.ts';
import { lensId, type LensAttributes } from '../src/kibana/lens-visualization.ts';
import { kibanaSavedObjects } from '../src/kibana/saved-objects.ts';
import { savedSearchId, type SavedSearchAttributes } from '../src/kibana/saved-search.ts';
import type { Panel } from '../src/panel.ts';
import { bucketKey, type Row } from '../src/row-key.ts';
import { SOURCES, type SourceId } from '../src/sources.ts';
import { ElasticsearchClient, testElasticsearchUrl } from './elasticsearch-client.ts';
import { expectRows, expectedRows, type Tool } from './expected-rows.ts';
import { SEED_END, SEED_INTERVAL_MS, SEED_START, seededRequestEvents, seededSloStatus, seededSloTransitions } from './seed-documents.ts';

/*
 * Every panel of both dashboards, as Kibana and as Grafana generate it, turned into the
 * Elasticsearch search that tool runs and executed against the test Elasticsearch: on seeded
 * documents (numbers computed here from the same documents), on empty indices ("no data"
 * shapes, not errors), and on an index that lacks most fields.
 */
const url = testElasticsearchUrl();
const es = new ElasticsearchClient(url);
const prefix = `dashboards-test-${randomBytes(4).toString('hex')}`;

/** Index (or alias) per source, for each data set. */
const INDICES = {
  seeded: { requests: `${prefix}-requests`, sloStatus: `${prefix}-slo-status`, sloTransitions: `${prefix}-slo-transitions` },
  empty: { requests: `${prefix}-empty-requests`, sloStatus: `${prefix}-empty-slo-status`, sloTransitions: `${prefix}-empty-slo-transitions` },
  partial: { requests: `${prefix}-partial-requests`, sloStatus: `${prefix}-partial-slo-status`, sloTransitions: `${prefix}-partial-slo-transitions` },
} as const satisfies Record<string, Record<SourceId, string>>;

const DOCUMENTS: Record<keyof typeof INDICES, Record<SourceId, readonly object[]>> = {
  seeded: { requests: seededRequestEvents(), sloStatus: seededSloStatus(), sloTransitions: seededSloTransitions() },
  empty: { requests: [], sloStatus: [], sloTransitions: [] },
  partial: {
    requests: [{ '@timestamp': new Date(SEED_START + 5_000).toISOString(), event: { duration: 5_000_000 } }],
    sloStatus: [{ '@timestamp': new Date(SEED_START + 5_000).toISOString(), slo: { name: 'only-a-name' } }],
    sloTransitions: [{ '@timestamp': new Date(SEED_START + 5_000).toISOString() }],
  },
};

const MAPPINGS: Record<SourceId, () => object> = {
  requests: () => portableTemplate().template.mappings,
  sloStatus: () => sloStatusMappings(),
  sloTransitions: () => sloTransitionMappings(),
};

async function createIndices(): Promise<void> {
  // Request events the way the proxy's portable setup stores them: template + first index behind a write alias.
  for (const set of ['seeded', 'empty'] as const) {
    const alias = INDICES[set].requests;
    await es.ok('PUT', `/_index_template/${alias}`, portableTemplate({ indexPattern: `${alias}-*` }));
    await es.ok('PUT', `/${alias}-000001`, bootstrapIndexBody(alias));
    await es.ok('PUT', `/${INDICES[set].sloStatus}`, { mappings: MAPPINGS.sloStatus() });
    await es.ok('PUT', `/${INDICES[set].sloTransitions}`, { mappings: MAPPINGS.sloTransitions() });
  }
  // A store that has only a couple of the fields (an older or foreign index).
  await es.ok('PUT', `/${INDICES.partial.requests}`, { mappings: { properties: { '@timestamp': { type: 'date' }, event: { properties: { duration: { type: 'long' } } } } } });
  await es.ok('PUT', `/${INDICES.partial.sloStatus}`, { mappings: { properties: { '@timestamp': { type: 'date' }, slo: { properties: { name: { type: 'keyword' } } } } } });
  await es.ok('PUT', `/${INDICES.partial.sloTransitions}`, { mappings: { properties: { '@timestamp': { type: 'date' } } } });
  for (const set of ['seeded', 'partial'] as const) {
    for (const source of Object.keys(SOURCES) as SourceId[]) await es.bulkIndex(INDICES[set][source], DOCUMENTS[set][source]);
  }
}

beforeAll(async () => {
  if (url) await createIndices();
}, 120_000);

afterAll(async () => {
  if (!url) return;
  await es.request('DELETE', `/${prefix}-*`);
  for (const set of ['seeded', 'empty'] as const) await es.request('DELETE', `/_index_template/${INDICES[set].requests}`);
});

const savedObjects = new Map(kibanaSavedObjects(DASHBOARD_SPECS).map((object) => [object.id, object]));

/** The search a tool runs for a panel. */
function panelSearch(tool: Tool, dashboardIndex: number, panelIndex: number, window: SearchWindow): PanelSearch {
  const spec = DASHBOARD_SPECS[dashboardIndex]!;
  const panel = spec.panels[panelIndex]!;
  const timeField = SOURCES[panel.source].timeField;
  if (tool === 'kibana') {
    if (panel.kind === 'aggregate') return lensSearch(savedObjects.get(lensId(spec.key, panel.key))!.attributes as LensAttributes, timeField, window);
    return savedSearchSearch(savedObjects.get(savedSearchId(spec.key, panel.key))!.attributes as SavedSearchAttributes, timeField, window);
  }
  const built = grafanaDashboard(spec).panels![panelIndex] as { title: string; targets: GrafanaTargetJson[]; transformations?: GrafanaTransformation[] };
  expect(built.title).toBe(panel.title);
  expect(built.targets).toHaveLength(1);
  return grafanaSearch(built.targets[0]!, built.transformations ?? [], window);
}

function keyFields(panel: Panel<SourceId>): string[] {
  if (panel.kind === 'documents') return [SOURCES[panel.source].timeField, 'slo.name', 'slo.transition.kind'];
  return panel.buckets.map((bucket) => bucketKey(bucket));
}

async function run(search: PanelSearch, index: string): Promise<Row[]> {
  const { status, json } = await es.request('POST', `/${index}/_search`, search.body);
  expect(status, `search on ${index} failed: ${JSON.stringify(json).slice(0, 1500)}\nbody: ${JSON.stringify(search.body)}`).toBe(200);
  return search.rows(json);
}

const cases = DASHBOARD_SPECS.flatMap((spec, dashboardIndex) =>
  spec.panels.flatMap((panel, panelIndex) => (['kibana', 'grafana'] as const).map((tool) => ({ tool, dashboardIndex, panelIndex, name: `${tool} "${spec.title}" / "${panel.title}"` }))),
);

describe.skipIf(!url)('panels against Elasticsearch', () => {
  const window: SearchWindow & { index: string } = { index: '', from: SEED_START, to: SEED_END, intervalMs: SEED_INTERVAL_MS };

  for (const set of ['seeded', 'empty', 'partial'] as const) {
    describe(`${set} indices`, () => {
      for (const { tool, dashboardIndex, panelIndex, name } of cases) {
        it(`${name} returns the expected rows`, async () => {
          const panel = DASHBOARD_SPECS[dashboardIndex]!.panels[panelIndex]!;
          const index = INDICES[set][panel.source];
          const actual = await run(panelSearch(tool, dashboardIndex, panelIndex, { ...window, index }), index);
          const sampleSize = tool === 'kibana' ? DISCOVER_SAMPLE_SIZE : RAW_DATA_SIZE;
          const expected = expectedRows(panel, DOCUMENTS[set][panel.source], { ...window, index }, tool, sampleSize);
          expectRows(`${set} ${name}`, actual, expected, keyFields(panel));
          if (set === 'seeded') {
            // The seeded data exercises every panel: something other than zeros and nulls.
            const values = actual.flatMap((row) => Object.values(row));
            expect(values.some((value) => value !== null && value !== 0), `${name} shows nothing on seeded data`).toBe(true);
          }
          if (set === 'empty') {
            // No data: no terms rows, zero counts, null values, never an error.
            for (const row of actual) {
              for (const [column, value] of Object.entries(row)) {
                if (column === 'count' || column.startsWith('sum:') || column.startsWith('unique_count:')) expect(value, `${name} ${column}`).toBe(0);
                else if (!panel || (panel.kind === 'aggregate' && !panel.buckets.some((bucket) => bucketKey(bucket) === column))) expect(value, `${name} ${column}`).toBeNull();
              }
            }
          }
        });
      }
    });
  }

  it('the seeded numbers are the ones the panels are about', async () => {
    // A few hand-checked anchors, so that a bug shared by the expectation code and the searches cannot hide.
    const events = seededRequestEvents();
    const inWindow = events.filter((event) => Date.parse(event['@timestamp']) >= SEED_START && !event.lookout.probe);
    const requests = DASHBOARD_SPECS[0]!.panels.findIndex((panel) => panel.key === 'requests');
    const [row] = await run(panelSearch('grafana', 0, requests, { ...window, index: INDICES.seeded.requests }), INDICES.seeded.requests);
    expect(row!.count).toBe(inWindow.length);
    expect(inWindow.length).toBe(56);
    const state = DASHBOARD_SPECS[1]!.panels.findIndex((panel) => panel.key === 'slo-state');
    for (const tool of ['kibana', 'grafana'] as const) {
      const rows = await run(panelSearch(tool, 1, state, { ...window, index: INDICES.seeded.sloStatus }), INDICES.seeded.sloStatus);
      const byName = Object.fromEntries(rows.map((entry) => [entry['slo.name'], entry]));
      expect(byName['api-availability']!['last_value:slo.status']).toBe('RED');
      expect(byName['api-availability']!['last_value:slo.level']).toBeCloseTo(1.25, 9);
      expect(byName['search-availability']!['last_value:slo.status']).toBe('NODATA');
      expect(byName['search-availability']!['last_value:slo.level']).toBeNull();
      expect(byName['api-latency-p99']!['last_value:slo.status']).toBe('GREEN');
    }
  });
});

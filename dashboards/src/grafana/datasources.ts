import { SOURCE_IDS, SOURCES, type SourceId } from '../sources.ts';

/** A Grafana Elasticsearch datasource of one source: provisioned with this uid, panels refer to it. */
export interface GrafanaDatasource {
  readonly uid: string;
  readonly name: string;
  readonly index: string;
  readonly timeField: string;
}

const UIDS: Record<SourceId, string> = {
  requests: 'lookout-requests',
  sloStatus: 'lookout-slo-status',
  sloTransitions: 'lookout-slo-transitions',
};

/**
 * The datasource of a source. Grafana's Elasticsearch datasource holds the index pattern, so
 * each source gets its own, provisioned with a fixed uid (see `provisioningDatasources`).
 */
export function grafanaDatasource(source: SourceId): GrafanaDatasource {
  return { uid: UIDS[source], name: SOURCES[source].title, index: SOURCES[source].indexPattern, timeField: SOURCES[source].timeField };
}

/** Every datasource the dashboards use, in {@link SOURCES} order. */
export function grafanaDatasources(): GrafanaDatasource[] {
  return SOURCE_IDS.map(grafanaDatasource);
}

/** The panel/target reference to a datasource. */
export function datasourceRef(source: SourceId): { type: 'elasticsearch'; uid: string } {
  return { type: 'elasticsearch', uid: UIDS[source] };
}

import { describe, expect, it } from 'vitest';
import type { TemplateVariant } from '@lookout/telemetry';
import { DASHBOARD_SPECS } from './dashboard-specs.ts';
import { luceneFields, mappedType, usageProblem, type FieldUsage } from './field-usage.ts';
import { grafanaDashboard } from './grafana/dashboard.ts';
import { grafanaDatasources } from './grafana/datasources.ts';
import { grafanaFieldUsages, type GrafanaPanelJson } from './grafana/panel-field-usage.ts';
import { lensFieldUsages, savedSearchFieldUsages } from './kibana/lens-field-usage.ts';
import type { LensAttributes } from './kibana/lens-visualization.ts';
import type { SavedSearchAttributes } from './kibana/saved-search.ts';
import { kibanaSavedObjects } from './kibana/saved-objects.ts';
import { SOURCE_IDS, SOURCES, type SourceId } from './sources.ts';
import { dataViewId } from './kibana/data-views.ts';

const VARIANTS: TemplateVariant[] = ['production', 'portable'];

/** Every field use of every generated Kibana object and Grafana panel, with the source it reads. */
function allUsages(): { source: SourceId; usage: FieldUsage }[] {
  const sourceByDataView = new Map(SOURCE_IDS.map((source) => [dataViewId(source), source]));
  const sourceByDatasource = new Map(grafanaDatasources().map((datasource, index) => [datasource.uid, SOURCE_IDS[index]!]));
  const out: { source: SourceId; usage: FieldUsage }[] = [];
  for (const object of kibanaSavedObjects(DASHBOARD_SPECS)) {
    if (object.type !== 'lens' && object.type !== 'search') continue;
    const source = sourceByDataView.get(object.references[0]!.id)!;
    const title = (object.attributes as { title: string }).title;
    const usages = object.type === 'lens' ? lensFieldUsages(title, object.attributes as LensAttributes) : savedSearchFieldUsages(title, object.attributes as SavedSearchAttributes);
    expect(usages.length, `${object.type} ${title} reads no field`).toBeGreaterThan(0);
    for (const usage of usages) out.push({ source, usage });
  }
  for (const spec of DASHBOARD_SPECS) {
    for (const panel of grafanaDashboard(spec).panels ?? []) {
      const json = panel as GrafanaPanelJson & { datasource?: { uid: string } };
      const source = sourceByDatasource.get(json.datasource!.uid)!;
      const usages = grafanaFieldUsages(json);
      expect(usages.length, `grafana panel ${json.title} reads no field`).toBeGreaterThan(0);
      for (const usage of usages) out.push({ source, usage });
    }
  }
  return out;
}

describe('fields the panels use', () => {
  const usages = allUsages();

  it('cover every Kibana and Grafana panel of both dashboards', () => {
    const places = new Set(usages.map(({ usage }) => usage.where.replace(/ (column|metric|bucket|query|sort|time field|transformation|filter).*$/, '')));
    const panelCount = DASHBOARD_SPECS.reduce((sum, spec) => sum + spec.panels.length, 0);
    expect(places.size).toBe(panelCount * 2);
  });

  for (const variant of VARIANTS) {
    it(`exist in the ${variant} mappings with a type that serves the use`, () => {
      const problems = usages.map(({ source, usage }) => usageProblem(usage, SOURCES[source].mappings(variant))).filter((problem) => problem !== undefined);
      expect(problems).toEqual([]);
    });
  }

  it('include the fields that matter, with the need the panel has', () => {
    const find = (field: string, need: string) => usages.some(({ usage }) => usage.field === field && usage.need === need);
    expect(find('event.duration', 'numeric')).toBe(true);
    expect(find('@timestamp', 'date')).toBe(true);
    expect(find('lookout.upstream.member', 'aggregatable')).toBe(true);
    expect(find('slo.status', 'aggregatable')).toBe(true);
    expect(find('http.response.status_code', 'queryable')).toBe(true);
  });
});

describe('usageProblem', () => {
  const mappings = SOURCES.requests.mappings('portable');

  it('rejects a terms split on a text field, a percentile of a keyword and an unmapped field', () => {
    expect(usageProblem({ field: 'error.message', need: 'aggregatable', where: 'x' }, mappings)).toMatch(/error.message is mapped as text/);
    expect(usageProblem({ field: 'url.domain', need: 'numeric', where: 'x' }, mappings)).toMatch(/mapped as keyword, which cannot serve a numeric use/);
    expect(usageProblem({ field: 'event.durationx', need: 'numeric', where: 'x' }, mappings)).toMatch(/not in the mapping/);
    expect(usageProblem({ field: 'event.duration', need: 'date', where: 'x' }, mappings)).toMatch(/mapped as long/);
  });

  it('finds multi-fields and object leaves', () => {
    expect(mappedType(mappings, 'url.original.text')).toBe('text');
    expect(mappedType(SOURCES.requests.mappings('production'), 'url.path')).toBe('wildcard');
    expect(mappedType(mappings, 'lookout.timing')).toBeUndefined();
  });

  it('reads fields out of Lucene queries', () => {
    expect(luceneFields('NOT (lookout.probe:true) AND (event.outcome:"failure")')).toEqual(['lookout.probe', 'event.outcome']);
    expect(luceneFields('lookout.termination:("ok" OR "local")')).toEqual(['lookout.termination']);
  });
});

import { describe, expect, it } from 'vitest';
import { DASHBOARD_SPECS } from '../dashboard-specs.ts';
import { SOURCE_IDS, SOURCES } from '../sources.ts';
import type { DashboardPanelJson } from './dashboard-object.ts';
import type { LensAttributes } from './lens-visualization.ts';
import type { SavedObject } from './saved-object.ts';
import { kibanaSavedObjects, toNdjson } from './saved-objects.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function parseNdjson(text: string): SavedObject[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return JSON.parse(line) as SavedObject;
      } catch (error) {
        throw new Error(`kibana.ndjson line ${index + 1} does not parse: ${String(error)}`);
      }
    });
}

describe('Kibana saved objects', () => {
  const ndjson = toNdjson(kibanaSavedObjects(DASHBOARD_SPECS));
  const objects = parseNdjson(ndjson);
  const byId = new Map(objects.map((object) => [object.id, object]));

  it('parse line by line, with unique version-5 ids, known types and migration versions', () => {
    expect(byId.size).toBe(objects.length);
    for (const object of objects) {
      expect(object.id).toMatch(UUID);
      expect(['index-pattern', 'lens', 'search', 'dashboard']).toContain(object.type);
      expect(object.coreMigrationVersion).toMatch(/^8\.\d+\.\d+$/);
      expect(object.typeMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('have a data view per source, with its index pattern and time field', () => {
    const views = objects.filter((object) => object.type === 'index-pattern');
    expect(views.map((view) => (view.attributes as { title: string }).title)).toEqual(SOURCE_IDS.map((source) => SOURCES[source].indexPattern));
    expect(views.map((view) => (view.attributes as { title: string }).title)).toContain('lookout-requests*');
    for (const view of views) {
      expect((view.attributes as { timeFieldName: string }).timeFieldName).toBe('@timestamp');
      expect(() => JSON.parse((view.attributes as { fieldFormatMap: string }).fieldFormatMap)).not.toThrow();
    }
  });

  it('resolve every reference: dashboard panel -> visualisation or search -> data view', () => {
    for (const object of objects) {
      for (const reference of object.references) {
        const target = byId.get(reference.id);
        expect(target, `${object.type} ${object.id} references missing ${reference.type} ${reference.id}`).toBeDefined();
        expect(target!.type).toBe(reference.type);
      }
    }
    const dashboards = objects.filter((object) => object.type === 'dashboard');
    expect(dashboards.map((dashboard) => (dashboard.attributes as { title: string }).title)).toEqual(['Proxy traffic', 'SLOs']);
    for (const dashboard of dashboards) {
      const panels = JSON.parse((dashboard.attributes as { panelsJSON: string }).panelsJSON) as DashboardPanelJson[];
      expect(panels.length).toBeGreaterThan(0);
      for (const panel of panels) {
        const reference = dashboard.references.find((candidate) => candidate.name === `${panel.panelIndex}:${panel.panelRefName}`);
        expect(reference, `panel ${panel.panelIndex} has no reference`).toBeDefined();
        const visualisation = byId.get(reference!.id)!;
        expect(visualisation.type).toBe(panel.type);
        expect(visualisation.references.length).toBeGreaterThan(0);
        for (const dataViewReference of visualisation.references) expect(byId.get(dataViewReference.id)?.type).toBe('index-pattern');
      }
    }
  });

  it('give every Lens layer a reference to its data view and every accessor a column', () => {
    for (const lens of objects.filter((object) => object.type === 'lens')) {
      const attributes = lens.attributes as LensAttributes;
      const layers = attributes.state.datasourceStates.formBased.layers;
      for (const [layerId, layer] of Object.entries(layers)) {
        expect(lens.references).toContainEqual(expect.objectContaining({ type: 'index-pattern', name: `indexpattern-datasource-layer-${layerId}` }));
        expect(new Set(layer.columnOrder)).toEqual(new Set(Object.keys(layer.columns)));
      }
      const columnIds = new Set(Object.values(layers).flatMap((layer) => layer.columnOrder));
      const accessors = JSON.stringify(attributes.state.visualization).match(/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
      const layerIds = new Set(Object.keys(layers));
      for (const accessor of accessors) expect(columnIds.has(accessor) || layerIds.has(accessor), `${attributes.title}: ${accessor}`).toBe(true);
    }
  });

  it('are identical across two builds', () => {
    expect(toNdjson(kibanaSavedObjects(DASHBOARD_SPECS))).toBe(ndjson);
  });
});

// Regenerates deploy/helm/lookout/values.schema.json from the chart's value list and the
// proxy's config schema: `node deploy/helm/src/write-values-schema.ts`. A test fails when the
// committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chartValuesSchemaText } from './values-schema.ts';

const target = fileURLToPath(new URL('../lookout/values.schema.json', import.meta.url));
writeFileSync(target, chartValuesSchemaText());
process.stdout.write(`wrote ${target}\n`);

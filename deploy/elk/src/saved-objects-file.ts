import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SetupError } from './setup-error.ts';

/** An NDJSON export of Kibana saved objects, read and checked before anything is sent. */
export interface SavedObjectsFile {
  readonly path: string;
  /** Name sent in the multipart part; Kibana accepts only `.ndjson`. */
  readonly fileName: string;
  readonly content: string;
  /** Lines that are saved objects (`type` and `id`), not counting an export summary line. */
  readonly objectCount: number;
}

/**
 * Reads `path` and checks that every non-empty line is a JSON object and that at least one is
 * a saved object. Fails with `LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE` naming the file and line.
 */
export async function readSavedObjectsFile(path: string): Promise<SavedObjectsFile> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new SetupError('LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE', `${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  let objectCount = 0;
  const lines = content.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new SetupError('LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE', `${path}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SetupError('LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE', `${path}:${index + 1}: expected one JSON object per line`);
    }
    const record = parsed as Record<string, unknown>;
    if (typeof record.type === 'string' && typeof record.id === 'string') objectCount++;
  }
  if (objectCount === 0) {
    throw new SetupError('LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE', `${path}: no saved objects (lines with "type" and "id")`);
  }
  const name = basename(path);
  return { path, fileName: name.endsWith('.ndjson') ? name : `${name}.ndjson`, content, objectCount };
}

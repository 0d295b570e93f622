import { describeErrorBody, describeNetworkError, sendRestRequest, type RestEndpoint, type RestRequest, type RestResponse } from './rest-request.ts';
import type { SavedObjectsFile } from './saved-objects-file.ts';
import { SetupError, type SetupErrorCode } from './setup-error.ts';

/** What Kibana answered to an import (`POST /api/saved_objects/_import`). */
export interface ImportResult {
  readonly successCount: number;
}

interface ImportAnswer {
  readonly success?: boolean;
  readonly successCount?: number;
  readonly errors?: { id?: string; type?: string; title?: string; error?: { type?: string; message?: string } }[];
}

/** Header Kibana requires on every state-changing API call (cross-site request forgery guard). */
export const KIBANA_XSRF_HEADER = 'kbn-xsrf';

/** The Kibana API calls of the setup: availability and the saved-objects import. */
export class KibanaClient {
  readonly endpoint: RestEndpoint;
  /** Kibana space; the default space when undefined. */
  readonly space: string | undefined;

  constructor(endpoint: RestEndpoint, space?: string) {
    this.endpoint = endpoint;
    this.space = space;
  }

  /**
   * Waits until `GET /api/status` reports the overall level `available`, for at most `waitMs`.
   * Refused credentials fail at once.
   */
  async waitUntilAvailable(waitMs: number, onRetry: (reason: string) => void): Promise<void> {
    const deadline = Date.now() + waitMs;
    const request = { method: 'GET', path: '/api/status' } as const;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const response = await this.send(request);
        if (response.status === 401 || response.status === 403) throw this.failure(request, response, 'LOOKOUT_SETUP_KIBANA_UNAUTHORIZED');
        const level = overallLevel(response.text);
        if (response.status === 200 && level === 'available') return;
        problem = `status ${response.status}, level ${level ?? 'unknown'}`;
      } catch (error) {
        if (!(error instanceof SetupError) || error.code !== 'LOOKOUT_SETUP_KIBANA_UNREACHABLE' || Date.now() >= deadline) throw error;
        problem = error.message;
      }
      if (Date.now() >= deadline) {
        throw new SetupError('LOOKOUT_SETUP_KIBANA_NOT_READY', `${this.endpoint.url}: ${problem} after ${Math.round(waitMs / 1000)}s`);
      }
      onRetry(problem);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** Math.min(attempt, 2), Math.max(0, deadline - Date.now()))));
    }
  }

  /**
   * Imports `file` with `overwrite=true` (objects keep their ids, so a second import replaces
   * rather than duplicates). A partial import (`success: false`) fails with
   * `LOOKOUT_SETUP_KIBANA_IMPORT_FAILED` naming the objects Kibana refused and why.
   */
  async importSavedObjects(file: SavedObjectsFile): Promise<ImportResult> {
    const form = new FormData();
    form.append('file', new Blob([file.content], { type: 'application/ndjson' }), file.fileName);
    const request = {
      method: 'POST',
      path: `${this.spacePath()}/api/saved_objects/_import?overwrite=true`,
      body: form,
      headers: { [KIBANA_XSRF_HEADER]: 'true' },
    } as const;
    const response = await this.send(request);
    if (response.status < 200 || response.status >= 300) throw this.failure(request, response, 'LOOKOUT_SETUP_KIBANA_IMPORT_FAILED');
    let answer: ImportAnswer;
    try {
      answer = JSON.parse(response.text) as ImportAnswer;
    } catch {
      throw new SetupError('LOOKOUT_SETUP_KIBANA_IMPORT_FAILED', `${request.path}: answer is not JSON: ${response.text.slice(0, 200)}`);
    }
    if (answer.success !== true) {
      const refused = (answer.errors ?? [])
        .slice(0, 5)
        .map((item) => `${item.type ?? '?'}/${item.id ?? '?'}: ${item.error?.type ?? 'error'}${item.error?.message ? ` (${item.error.message})` : ''}`);
      const more = (answer.errors?.length ?? 0) > 5 ? ` and ${(answer.errors?.length ?? 0) - 5} more` : '';
      throw new SetupError(
        'LOOKOUT_SETUP_KIBANA_IMPORT_FAILED',
        `${file.path}: ${answer.successCount ?? 0} of ${file.objectCount} imported; refused ${refused.join('; ')}${more}`,
      );
    }
    return { successCount: answer.successCount ?? 0 };
  }

  private spacePath(): string {
    return this.space === undefined || this.space === 'default' ? '' : `/s/${encodeURIComponent(this.space)}`;
  }

  private async send(request: RestRequest): Promise<RestResponse> {
    try {
      return await sendRestRequest(this.endpoint, request);
    } catch (error) {
      throw new SetupError(
        'LOOKOUT_SETUP_KIBANA_UNREACHABLE',
        `${request.method} ${new URL(request.path, this.endpoint.url).href}: ${describeNetworkError(error)}`,
        { cause: error },
      );
    }
  }

  private failure(request: RestRequest, response: RestResponse, code: SetupErrorCode): SetupError {
    const detail = `${request.method} ${request.path}: ${describeErrorBody(response.status, response.text)}`;
    return new SetupError(response.status === 401 || response.status === 403 ? 'LOOKOUT_SETUP_KIBANA_UNAUTHORIZED' : code, detail);
  }
}

function overallLevel(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { status?: { overall?: { level?: string } } };
    return body.status?.overall?.level;
  } catch {
    return undefined;
  }
}

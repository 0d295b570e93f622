import { describeErrorBody, describeNetworkError, sendRestRequest, type RestEndpoint, type RestRequest, type RestResponse } from './rest-request.ts';
import { SetupError, type SetupErrorCode } from './setup-error.ts';

/**
 * The few Elasticsearch REST calls the setup makes, over fetch (no client library: the setup
 * must run against any 8.x or 9.x cluster, whatever client major it would need).
 */
export class ElasticsearchClient {
  readonly endpoint: RestEndpoint;

  constructor(endpoint: RestEndpoint) {
    this.endpoint = endpoint;
  }

  /** Sends a request; network failures become `LOOKOUT_SETUP_ES_UNREACHABLE`, statuses are returned. */
  async send(request: RestRequest): Promise<RestResponse> {
    try {
      return await sendRestRequest(this.endpoint, request);
    } catch (error) {
      throw new SetupError(
        'LOOKOUT_SETUP_ES_UNREACHABLE',
        `${request.method} ${new URL(request.path, this.endpoint.url).href}: ${describeNetworkError(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Sends a request and returns the parsed body of a 2xx answer, or `undefined` for a status in
   * `alsoFine` (e.g. 404 for "not there yet"). Other statuses throw: 401/403 as
   * `LOOKOUT_SETUP_ES_UNAUTHORIZED`, the rest as `code`.
   */
  async json<T>(request: RestRequest, code: SetupErrorCode = 'LOOKOUT_SETUP_ES_REJECTED', alsoFine: readonly number[] = []): Promise<T | undefined> {
    const response = await this.send(request);
    if (response.status >= 200 && response.status < 300) return (response.text ? JSON.parse(response.text) : {}) as T;
    if (alsoFine.includes(response.status)) return undefined;
    throw esFailure(request, response, code);
  }
}

/** The error for an unexpected Elasticsearch answer, naming the request and what Elasticsearch said. */
export function esFailure(request: RestRequest, response: RestResponse, code: SetupErrorCode): SetupError {
  const detail = `${request.method} ${request.path}: ${describeErrorBody(response.status, response.text)}`;
  if (response.status === 401 || response.status === 403) return new SetupError('LOOKOUT_SETUP_ES_UNAUTHORIZED', detail);
  return new SetupError(code, detail);
}

/** The `error` object of an Elasticsearch answer (REST error or bulk item). */
export interface EsErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
  readonly caused_by?: EsErrorCause;
  readonly root_cause?: readonly EsErrorCause[];
}

/**
 * One line naming what Elasticsearch said: `type: reason`, then each `caused_by`, e.g.
 * `document_parsing_exception: [1:20] failed to parse field [http.response.status_code] of
 * type [long] <- illegal_argument_exception: For input string: "abc"`.
 */
export function describeEsError(error: unknown): string {
  if (typeof error === 'string') return error;
  const parts: string[] = [];
  let cause = error as EsErrorCause | undefined;
  for (let depth = 0; cause !== undefined && cause !== null && typeof cause === 'object' && depth < 5; depth++) {
    parts.push(cause.reason ? `${cause.type ?? 'error'}: ${cause.reason}` : (cause.type ?? 'error'));
    cause = cause.caused_by;
  }
  return parts.length > 0 ? parts.join(' <- ') : 'unknown error';
}

/** The `error` of a REST answer's body text, described; falls back to the start of the text. */
export function describeEsErrorBody(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (body.error !== undefined) return `${status} ${describeEsError(body.error)}`;
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  const snippet = text.trim().slice(0, 200);
  return snippet ? `${status} ${snippet}` : `${status}`;
}

/** How the setup authenticates to Elasticsearch or Kibana: basic auth, an API key, or nothing. */
export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'api-key'; readonly apiKey: string };

/** The `Authorization` header value for `credentials`, or undefined for none. */
export function authorizationHeader(credentials: Credentials): string | undefined {
  switch (credentials.kind) {
    case 'none':
      return undefined;
    case 'basic':
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    case 'api-key':
      return `ApiKey ${credentials.apiKey}`;
  }
}

/** A description for progress lines, never the secret. */
export function describeCredentials(credentials: Credentials): string {
  switch (credentials.kind) {
    case 'none':
      return 'no credentials';
    case 'basic':
      return `user ${credentials.username}`;
    case 'api-key':
      return 'API key';
  }
}

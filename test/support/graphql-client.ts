export interface GraphqlRequestOptions {
  /** Sent as `Authorization: Bearer <apiKey>`; null sends no Authorization header. */
  readonly apiKey: string | null;
  readonly variables?: Record<string, unknown>;
}

/** POSTs a GraphQL query to `<baseUrl>/graphql` over real HTTP, the way a reporting tool does. */
export function postGraphql(
  baseUrl: string,
  query: string,
  { apiKey, variables }: GraphqlRequestOptions,
): Promise<Response> {
  return fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
}

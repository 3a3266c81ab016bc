/**
 * The path of a request target, without its query string (or a fragment a client sent anyway).
 * Request logs carry only this: query strings hold API keys, emails and GraphQL variables.
 */
export function requestPath(target: string | undefined): string {
  if (!target) return '';
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

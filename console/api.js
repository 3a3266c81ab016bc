import { useRef } from 'preact/hooks';

/**
 * The console's only way to data: POST /graphql with the operator's key (ADR 0025). The key lives
 * in sessionStorage: entered once per browser session, gone when the tab's session ends.
 */
const KEY_NAME = 'trainu-sync-console-key';

export function storedKey() {
  return sessionStorage.getItem(KEY_NAME);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_NAME, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_NAME);
}

/** A failed call: `status` 401 means the key is wrong; `messages` are GraphQL's errors. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function graphql(query, variables = {}, key = storedKey()) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key ?? ''}` },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) throw new ApiError('The API key was refused.', 401);
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) throw new ApiError(body.errors.map((error) => error.message).join('; '), response.status);
  if (!response.ok) throw new ApiError(`The API answered ${response.status}.`, response.status);
  return body.data;
}

/**
 * For a page that reloads as its filters and pages change: wraps each load so that only the
 * latest load's answer (or failure) arrives; an earlier one that comes back after it is dropped.
 */
export function useLatestOnly() {
  const latest = useRef(0);
  return (loading) => {
    latest.current += 1;
    const ticket = latest.current;
    return new Promise((resolve, reject) => {
      loading.then(
        (answer) => ticket === latest.current && resolve(answer),
        (failure) => ticket === latest.current && reject(failure),
      );
    });
  };
}

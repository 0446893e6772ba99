// The one way the pages reach data: the JSON API of docs/api.md, same origin, with the session cookie the
// browser keeps (HttpOnly: scripts never see it) and the CSRF token in X-CSRF-Token on every POST.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
    readonly etag: string | null = null,
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export interface ApiAnswer<T> {
  data: T;
  etag: string | null;
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = res.headers.get('Retry-After');
    throw new ApiError(
      res.status,
      err?.code ?? 'error',
      err?.message ?? `the server answered ${res.status}`,
      retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
      res.headers.get('ETag'),
    );
  }
  return { data: parsed as T, etag: res.headers.get('ETag') };
}

export const get = <T>(path: string) => request<T>('GET', path).then((a) => a.data);
export const post = <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
  request<T>('POST', path, body, headers);
export const patch = <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
  request<T>('PATCH', path, body, headers);

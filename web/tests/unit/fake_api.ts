// A fake of the JSON API for the component tests: answers by method and path, records every request.
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = { status: number; body: unknown; headers?: Record<string, string> };

export function fakeApi(routes: Record<string, Answer | ((r: Recorded) => Answer)>): Recorded[] {
  const seen: Recorded[] = [];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit = {}) => {
    const r: Recorded = {
      method: init.method ?? 'GET',
      path,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    seen.push(r);
    const route = routes[`${r.method} ${path}`];
    const answer = typeof route === 'function' ? route(r) : route ?? { status: 404, body: { error: { status: 404, code: 'not_found', message: 'no such route' } } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  });
  return seen;
}

// The parts of index.html the pages use.
export function pageShell(): void {
  document.body.innerHTML = `
    <nav id="rr-nav" hidden><ul id="rr-nav-list"></ul></nav>
    <span id="rr-whoami"></span>
    <main id="main-content"></main>`;
}

export const session = { user: 'bcc-cs-practitioner', agency: 'bcc-cs', role: 'practitioner', csrf_token: 'csrf-123', must_enrol: false };

export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

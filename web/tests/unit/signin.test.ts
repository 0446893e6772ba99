import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signInPage, signInProblems } from '../../src/pages/signin';
import { fakeApi, pageShell, settle } from './fake_api';

function fill(values: Record<string, string>): void {
  for (const [id, value] of Object.entries(values)) (document.getElementById(id) as HTMLInputElement).value = value;
}
const submit = (selector = 'form') => document.querySelector(selector)!.dispatchEvent(new Event('submit', { cancelable: true }));

describe('sign-in', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // jsdom cannot navigate after a sign-in
  });

  it('names every missing field before sending anything', () => {
    expect(signInProblems('', '', '12345').map((p) => p.field)).toEqual(['user', 'password', 'totp']);
    expect(signInProblems(' amy ', 'pw', ' 123456 ')).toEqual([]);
  });

  it('shows the need-to-know notice and says a failure is "not right" without saying which part', async () => {
    const seen = fakeApi({ 'POST /api/login': { status: 401, body: { error: { status: 401, code: 'unauthenticated', message: 'invalid credentials' } } } });
    await signInPage();
    expect(document.querySelector('main')!.textContent).toContain('every refusal is recorded and reviewed');
    fill({ user: 'amy', password: 'secret words', totp: '123456' });
    submit();
    await settle();
    expect(seen[0].body).toEqual({ user: 'amy', password: 'secret words', totp: '123456' });
    expect(document.querySelector('.govuk-error-summary')!.textContent).toContain('The user name, password or one-time code is not right');
    expect((document.getElementById('password') as HTMLInputElement).value).toBe('');
  });

  it('asks politely to wait for as long as Retry-After says when throttled', async () => {
    fakeApi({ 'POST /api/login': { status: 429, body: { error: { status: 429, code: 'too_many_requests', message: 'slow down' } }, headers: { 'Retry-After': '840' } } });
    await signInPage();
    fill({ user: 'amy', password: 'secret words', totp: '123456' });
    submit();
    await settle();
    const summary = document.querySelector('.govuk-error-summary')!.textContent!;
    expect(summary).toContain('Please wait before trying again');
    expect(summary).toContain('Wait 14 minutes, then try again.');
  });

  it('enrols a new account: shows its key once, then posts the new password and code with the CSRF token', async () => {
    const seen = fakeApi({
      'POST /api/login': { status: 200, body: { user: 'amy', agency: 'bcc-cs', role: 'practitioner', csrf_token: 'enrol-csrf', must_enrol: true, totp_secret: 'JBSWY3DPEHPK3PXP', totp_uri: 'otpauth://x' } },
      'POST /api/session/enrol': { status: 200, body: { enrolled: true, signed_out: true } },
    });
    await signInPage();
    fill({ user: 'amy', password: 'the forty character one-time enrolment code', totp: '000000' });
    submit();
    await settle();
    expect(document.querySelector('h1')!.textContent).toBe('Set up your account');
    expect(document.getElementById('totp-secret')!.textContent).toBe('JBSWY3DPEHPK3PXP');
    fill({ 'new-password': 'a passphrase of my very own', 'enrol-totp': '654321' });
    submit();
    await settle();
    const enrol = seen.find((r) => r.path === '/api/session/enrol')!;
    expect(enrol.headers['X-CSRF-Token']).toBe('enrol-csrf');
    expect(enrol.body).toEqual({ password: 'a passphrase of my very own', totp: '654321' });
    expect(document.querySelector('.govuk-panel__title')!.textContent).toBe('Your account is set up');
  });
});

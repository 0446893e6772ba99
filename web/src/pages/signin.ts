// /sign-in: user name, password and one-time code; the need-to-know notice; enrolment for a new account.
import { ApiError, post, setCsrfToken } from '../api';
import { el } from '../dom';
import { retryText } from '../format';
import { type FieldError, formGroup, render, setFieldError, setTitle, showErrors } from '../layout';
import { safeNext } from '../routes';
import type { LoginAnswer } from '../types';

function input(id: string, type: string, autocomplete: string, extra: Record<string, string> = {}): HTMLInputElement {
  return el('input', {
    class: 'govuk-input',
    id,
    name: id,
    type,
    autocomplete,
    spellcheck: 'false',
    ...extra,
  });
}

function notice(): HTMLElement {
  return el(
    'div',
    { class: 'govuk-inset-text' },
    el('p', { class: 'govuk-body' }, 'You may only look at a child’s information when you need to know it for your work with that child.'),
    el('p', { class: 'govuk-body' }, 'Every record you open, every search and every refusal is recorded and reviewed by your information governance lead.'),
  );
}

// Checks the form before sending: every field named, the code six digits.
export function signInProblems(user: string, password: string, code: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!user.trim()) errors.push({ field: 'user', message: 'Enter your user name' });
  if (!password) errors.push({ field: 'password', message: 'Enter your password' });
  if (!/^\d{6}$/.test(code.trim())) errors.push({ field: 'totp', message: 'Enter the 6-digit code from your authenticator app' });
  return errors;
}

export async function signInPage(): Promise<void> {
  setTitle('Sign in');
  const errors = el('div', {});
  const user = input('user', 'text', 'username');
  const password = input('password', 'password', 'current-password');
  const totp = input('totp', 'text', 'one-time-code', { inputmode: 'numeric', class: 'govuk-input govuk-input--width-10' });
  const button = el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Sign in');
  const form = el(
    'form',
    { novalidate: true, id: 'sign-in-form' },
    formGroup('user', 'User name', user),
    formGroup('password', 'Password', password),
    formGroup('totp', 'One-time code', totp, 'The 6-digit code from your authenticator app. A code works once.'),
    button,
  );
  render(
    el(
      'div',
      { class: 'govuk-grid-row' },
      el(
        'div',
        { class: 'govuk-grid-column-two-thirds' },
        errors,
        el('h1', { class: 'govuk-heading-l' }, 'Sign in to riskradar'),
        notice(),
        form,
      ),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = signInProblems(user.value, password.value, totp.value);
    for (const id of ['user', 'password', 'totp']) setFieldError(id, problems.find((p) => p.field === id)?.message ?? null);
    if (problems.length) return showErrors(errors, problems);
    button.disabled = true;
    try {
      const { data } = await post<LoginAnswer>('/api/login', { user: user.value.trim(), password: password.value, totp: totp.value.trim() });
      setCsrfToken(data.csrf_token);
      if (data.must_enrol) return enrolPage(data);
      window.location.assign(safeNext(new URLSearchParams(window.location.search).get('next')));
    } catch (e) {
      password.value = '';
      totp.value = '';
      if (e instanceof ApiError && e.status === 429) {
        showErrors(errors, [{ field: '', message: `Too many sign-in attempts. ${retryText(e.retryAfterS)} This protects your account.` }], 'Please wait before trying again');
      } else if (e instanceof ApiError && e.status === 401) {
        showErrors(errors, [{ field: 'user', message: 'The user name, password or one-time code is not right. Check them and try again with a new code.' }]);
      } else {
        showErrors(errors, [{ field: '', message: 'Sign-in is not available at the moment. Try again later.' }]);
      }
    } finally {
      button.disabled = false;
    }
  });
}

// A new or reset account: the secret to add to an authenticator app, a password of the user's own and a code.
function enrolPage(login: LoginAnswer): void {
  setTitle('Set up your account');
  const errors = el('div', {});
  const password = input('new-password', 'password', 'new-password');
  const totp = input('enrol-totp', 'text', 'one-time-code', { inputmode: 'numeric', class: 'govuk-input govuk-input--width-10' });
  const button = el('button', { type: 'submit', class: 'govuk-button' }, 'Save and sign out');
  const form = el(
    'form',
    { novalidate: true },
    formGroup('new-password', 'New password', password, 'A passphrase of your own: several words are easier to remember than symbols.'),
    formGroup('enrol-totp', 'One-time code', totp, 'Add the key above to your authenticator app, then enter the code it shows.'),
    button,
  );
  render(
    errors,
    el('h1', { class: 'govuk-heading-l' }, 'Set up your account'),
    el('p', { class: 'govuk-body' }, 'Before you can use riskradar, set your own password and add this key to your authenticator app. It is shown only once.'),
    el('p', { class: 'govuk-body govuk-!-font-weight-bold', id: 'totp-secret' }, login.totp_secret ?? ''),
    form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems: FieldError[] = [];
    if (!password.value) problems.push({ field: 'new-password', message: 'Enter a new password' });
    if (!/^\d{6}$/.test(totp.value.trim())) problems.push({ field: 'enrol-totp', message: 'Enter the 6-digit code from your authenticator app' });
    for (const id of ['new-password', 'enrol-totp']) setFieldError(id, problems.find((p) => p.field === id)?.message ?? null);
    if (problems.length) return showErrors(errors, problems);
    try {
      await post('/api/session/enrol', { password: password.value, totp: totp.value.trim() });
      render(
        el('div', { class: 'govuk-panel govuk-panel--confirmation' }, el('h1', { class: 'govuk-panel__title' }, 'Your account is set up')),
        el('p', { class: 'govuk-body' }, 'You have been signed out. Sign in with your new password and a code from your app.'),
        el('a', { href: '/sign-in', class: 'govuk-button' }, 'Sign in'),
      );
    } catch (e) {
      const message = e instanceof ApiError ? e.message : 'the account could not be set up';
      const field = message.startsWith('totp') ? 'enrol-totp' : 'new-password';
      setFieldError(field, message);
      showErrors(errors, [{ field, message }]);
    }
  });
}

// Browser tests of the web application: Debian's chromium (playwright-core, headless, never a downloaded
// browser) against a real `riskradar serve` on loopback over a small demo store with the demo users.
// Every page: main content rendered within 1 s of navigation (measured and printed), no serious or critical
// axe-core violation, no console error or CSP violation, a screenshot in the artifacts directory.
//
//   RISKRADAR_BINARY=build/riskradar node tests/browser/run.mjs     (from web/, after npm run build)
// Environment: RISKRADAR_BINARY (default ../build-test/riskradar), RISKRADAR_WEB_DIST (default dist),
// RISKRADAR_WEB_ARTIFACTS (screenshots; default test-artifacts), CHROMIUM (default /usr/bin/chromium),
// RISKRADAR_WEB_SCALE (demo scale, default 0.2).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import axe from 'axe-core';
import { chromium } from 'playwright-core';
import { base32Decode, totp } from './totp.mjs';

const binary = resolve(process.env.RISKRADAR_BINARY ?? '../build-test/riskradar');
const dist = resolve(process.env.RISKRADAR_WEB_DIST ?? 'dist');
const artifacts = resolve(process.env.RISKRADAR_WEB_ARTIFACTS ?? 'test-artifacts');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const scale = process.env.RISKRADAR_WEB_SCALE ?? '0.2';
const READY_BUDGET_MS = 1000;

let dir;
let db;
let server;
let base;
let browser;
const users = new Map(); // name -> {role, agency, password, secret}
const allocated = new Map(); // user -> [child ids]
const timings = [];
let breakGlassUser = ''; // the outsider who used break-glass (its agency's IG lead reviews it)
const signedIn = new Map(); // user -> a page still signed in, for a later test to go on with

function sql(query) {
  return execFileSync('sqlite3', ['-readonly', '-separator', '\t', db, query], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'rr-web-'));
  db = join(dir, 'riskradar.db');
  execFileSync(binary, ['demo', '--dir', dir, '--scale', scale, '--seed', '7'], { stdio: 'ignore', timeout: 180_000 });
  const printed = execFileSync(binary, ['demo-users', '--db', db], { encoding: 'utf8', timeout: 120_000 });
  for (const line of printed.split('\n')) {
    const u = line.match(/^(\S+)\s+(analyst|practitioner|manager|ig_lead|administrator)\s+(\S+)\s+(\S+)\s+([A-Z2-7]{16,})\s*$/);
    if (u) users.set(u[1], { role: u[2], agency: u[3], password: u[4], secret: u[5] });
    const r = line.match(/^\s+(\S+)\s+(allocated_case|mase_listing)\s+children ([\d, ]+)$/);
    if (r) allocated.set(r[1], r[3].split(',').map((s) => s.trim()));
  }
  assert.ok(users.size >= 5, `demo-users printed ${users.size} users`);
  server = spawn(binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', dist], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', () => {});
  base = await new Promise((resolveBase, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolveBase(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  for (const page of signedIn.values()) await page.context().close();
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (timings.length) {
    const lines = timings.map((t) => `  ${t.page.padEnd(28)} ${t.ms.toFixed(0).padStart(5)} ms`);
    const text = `main content rendered after navigation (budget ${READY_BUDGET_MS} ms):\n${lines.join('\n')}\n`;
    process.stdout.write(text);
    writeFileSync(join(artifacts, 'timings.txt'), text);
  }
});

// A browser context (its own cookies) for one user, recording console errors and CSP violations.
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = { console: [], csp: [], allowed: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // A 4xx the test expects from the API (a refused child, a wrong code) is logged by chromium; allow only those.
    const i = problems.allowed.findIndex((status) => text.includes(`status of ${status}`));
    if (i >= 0) problems.allowed.splice(i, 1);
    else problems.console.push(text);
  });
  page.on('pageerror', (err) => problems.console.push(String(err)));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.problems = problems;
  return page;
}

// A screenshot of the page from the top, at most 2,400 pixels long (the long tables of scale-1 data would
// otherwise make megabyte images).
async function screenshot(page, name) {
  const height = Math.min(2400, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
}

async function checkPage(page, name) {
  await page.waitForSelector('main[data-ready]', { timeout: 10_000 });
  const ms = await page.evaluate(() => performance.getEntriesByName('rr-main-rendered').at(-1)?.startTime ?? -1);
  timings.push({ page: name, ms });
  assert.ok(ms >= 0 && ms < READY_BUDGET_MS, `${name}: main content rendered after ${ms} ms (budget ${READY_BUDGET_MS})`);
  await screenshot(page, name);
  await checkAxe(page, name);
}

// No serious or critical axe-core violation and no CSP violation on the page as it is now (after a form's
// answer, say), without the timing check of a fresh navigation.
async function checkAxe(page, name) {
  await page.evaluate(axe.source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `${name}: axe`);
  const csp = await page.evaluate(() => window.__csp);
  assert.deepEqual(csp, [], `${name}: CSP violations`);
  assert.deepEqual(page.problems.console, [], `${name}: console errors`);
}

// A one-time code works once: a user signing in again within the same 30-second step waits for the next.
const lastStep = new Map();
async function freshCode(name) {
  let step = Math.floor(Date.now() / 30_000);
  if (lastStep.has(name) && lastStep.get(name) >= step) {
    await new Promise((r) => setTimeout(r, (lastStep.get(name) + 1) * 30_000 - Date.now() + 200));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStep.set(name, step);
  return totp(base32Decode(users.get(name).secret), step * 30);
}

async function signIn(page, name, next = '', { keyboard = false } = {}) {
  const u = users.get(name);
  assert.ok(u, `no demo user ${name}`);
  await page.goto(`${base}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  if (keyboard) {
    // Keyboard only: Tab from the top of the page to the user name, type each field, Enter submits.
    await page.waitForSelector('main[data-ready]');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    for (let i = 0; i < 10 && (await focused()) !== 'user'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'user', 'the user name is reachable with Tab');
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'password');
    await page.keyboard.type(u.password);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'totp');
    await page.keyboard.type(await freshCode(name));
    await Promise.all([page.waitForURL((url) => url.pathname !== '/sign-in'), page.keyboard.press('Enter')]);
    return;
  }
  await page.fill('#user', name);
  await page.fill('#password', u.password);
  await page.fill('#totp', await freshCode(name));
  await Promise.all([page.waitForURL((url) => url.pathname !== '/sign-in'), page.click('button[type=submit]')]);
}

const apiJson = (page, path) =>
  page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Accept: 'application/json' } });
    return { status: r.status, body: await r.json() };
  }, path);

const councilPractitioner = () => [...allocated.keys()].find((n) => n.endsWith('-practitioner') && users.get(n) && allocated.get(n).length);

test('TOTP codes match RFC 6238 (the test signs in with them)', () => {
  const key = Buffer.from('12345678901234567890');
  assert.equal(totp(key, 59, 8), '94287082');
  assert.equal(totp(key, 1111111109, 8), '07081804');
  assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQ'), Buffer.from('1234567890'));
});

test('sign-in: the need-to-know notice, clear errors, and a wrong code refused politely', async () => {
  const page = await newPage();
  await page.goto(`${base}/sign-in`);
  await page.waitForSelector('main[data-ready]');
  assert.match(await page.textContent('main'), /Every record you open, every search and every refusal is recorded/);
  await page.click('button[type=submit]');
  const summary = await page.textContent('.govuk-error-summary');
  assert.match(summary, /Enter your user name/);
  assert.match(summary, /Enter your password/);
  assert.match(summary, /Enter the 6-digit code/);
  await checkPage(page, 'sign-in-errors');
  const analyst = [...users.keys()].find((n) => n.endsWith('-analyst'));
  await page.fill('#user', analyst);
  await page.fill('#password', 'not the password at all');
  await page.fill('#totp', '000000');
  page.problems.allowed.push(401);
  await page.click('button[type=submit]');
  await page.waitForSelector('.govuk-error-summary >> text=is not right');
  assert.equal(await page.inputValue('#password'), '', 'the password is cleared after a failure');
  await page.context().close();
});

test('sign-in throttling: the sixth failure for one name from one address is refused politely, saying when to retry', async () => {
  // A name no account has (the limit counts names, known or not): five wrong attempts are 401s, the sixth is the
  // server's 429 with Retry-After, which the page turns into a message instead of an error. It stays under the
  // per-address limit (20) the other tests' sign-ins from this address share.
  const page = await newPage();
  page.problems.allowed.push(401, 401, 401, 401, 401, 429);
  await page.goto(`${base}/sign-in`);
  await page.waitForSelector('main[data-ready]');
  const statuses = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/login')) statuses.push(r.status()); });
  for (let i = 0; i < 6; ++i) {
    await page.fill('#user', 'nobody-by-this-name');
    await page.fill('#password', `wrong password ${i}`);
    await page.fill('#totp', '000000');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/login'));
    await page.click('button[type=submit]');
    await answered;
    await page.waitForSelector('.govuk-error-summary');
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  const summary = await page.textContent('.govuk-error-summary');
  assert.match(summary, /Please wait before trying again/);
  assert.match(summary, /Too many sign-in attempts\. Wait 15 minutes, then try again\. This protects your account\./);
  assert.doesNotMatch(summary, /is not right/, 'the throttled answer is not the wrong-password message');
  assert.equal(await page.inputValue('#password'), '', 'the password is cleared');
  await checkPage(page, 'sign-in-throttled');
  await page.context().close();
});

test('the radar after signing in with TOTP (keyboard only): counts by level and district as the API gives them, a chart', async () => {
  const page = await newPage();
  const name = councilPractitioner();
  await signIn(page, name, '', { keyboard: true });
  assert.equal(new URL(page.url()).pathname, '/');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === '__Host-rr_session');
  assert.ok(session && session.secure && session.httpOnly && session.sameSite === 'Strict', 'the secure session cookie is kept on http://127.0.0.1');
  await checkPage(page, 'radar');
  const radar = (await apiJson(page, '/api/radar')).body;
  const figures = await page.$$eval('#level-counts .rr-count__figure', (els) => els.map((e) => Number(e.textContent.replace(/,/g, ''))));
  assert.deepEqual(figures, ['serious', 'significant', 'at_risk', 'none'].map((l) => radar.by_level[l] ?? 0));
  const rows = await page.$$eval('#radar-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(rows.length, Object.keys(radar.by_district).length);
  for (const row of rows) {
    const district = radar.by_district[row[0]] ?? radar.by_district[''];
    assert.ok(district, `district ${row[0]}`);
    assert.equal(Number(row[1].replace(/,/g, '')), district.serious ?? 0, `${row[0]} serious`);
  }
  const box = await page.locator('#radar-chart').boundingBox();
  assert.ok(box && box.width > 300 && box.height > 200, 'the chart is drawn');
  await page.context().close();
});

test("a child's chronology by agency, indicators with evidence, and what would change the level", async () => {
  const page = await newPage();
  // The manager of the practitioner's agency: the same children by MASE listing (a different user, a fresh code).
  const name = councilPractitioner().replace(/-practitioner$/, '-manager');
  const child = allocated.get(name)[0];
  await signIn(page, name, `/children/${child}`);
  assert.equal(new URL(page.url()).pathname, `/children/${child}`);
  await checkPage(page, 'child');
  const api = (await apiJson(page, `/api/children/${child}`)).body;
  assert.ok(api.events.length > 0);
  assert.equal(await page.locator('#chronology tbody tr').count(), api.events.length, 'every visible event is in the chronology');
  const agencies = [...new Set(api.events.map((e) => e.agency))];
  assert.equal(await page.locator('#chronology section').count(), agencies.length, 'one section per agency');
  const missing = api.events.filter((e) => e.kind === 'missing_episode').length;
  assert.equal(await page.locator('#chronology .govuk-tag >> text=Missing').count(), missing, 'missing episodes are tagged in words');
  const indicators = api.assessment?.indicators ?? [];
  assert.equal(await page.locator('#indicators .govuk-summary-card').count(), indicators.length);
  if (api.assessment?.what_would_change) assert.ok(await page.locator('#what-would-change').isVisible());
  // The linked source records, read (and audited) only when asked for.
  await page.click('#show-linked-records');
  await page.waitForSelector('#records-table');
  const person = (await apiJson(page, `/api/people/${child}`)).body;
  assert.equal(await page.locator('#records-table tbody tr').count(), person.records.length);
  assert.equal(await page.locator('#links-table tbody tr').count(), person.links.length);
  signedIn.set(name, page); // the practice test below goes on in this session (no second sign-in)
});

test('practice: the caseload, an alert acknowledged, an override with its reason, a MASE action marked done, actions and disruptions', async () => {
  // The manager of the child test (MASE listings of the practitioner's children), still signed in.
  const name = councilPractitioner().replace(/-practitioner$/, '-manager');
  let page = signedIn.get(name);
  if (!page) {
    page = await newPage();
    await signIn(page, name, '/caseload');
  }
  await page.goto(`${base}/caseload`);
  await checkPage(page, 'caseload');
  const caseload = (await apiJson(page, '/api/caseload')).body;
  assert.ok(caseload.children.length > 0, 'the manager sees the team\'s allocated cases');
  assert.equal(await page.locator('#caseload-table tbody tr').count(), caseload.children.length);

  // An alert, acknowledged with a note.
  await page.goto(`${base}/alerts`);
  await checkPage(page, 'alerts');
  const alerts = (await apiJson(page, '/api/alerts/mine')).body.alerts;
  assert.ok(alerts.length > 0, 'demo-users raised alerts for the manager');
  assert.equal(await page.locator('#alerts-list .govuk-summary-card').count(), alerts.length);
  const alert = alerts[0];
  await page.fill(`#alert-note-${alert.id}`, 'spoke to the carer; the child is home');
  await page.click(`#alert-form-${alert.id} button`);
  await page.waitForSelector('#alert-done');
  assert.equal(await page.locator(`#alert-${alert.id}`).count(), 0, 'the acknowledged alert leaves the open list');
  const acked = (await apiJson(page, '/api/alerts/mine?all=1')).body.alerts.find((a) => a.id === alert.id);
  assert.ok(acked.acknowledged_at);
  assert.equal(acked.note, 'spoke to the carer; the child is home');

  // An override on a child: the reason is asked for, then the level changes with the reason and its author.
  const child = allocated.get(name)[0];
  await page.goto(`${base}/children/${child}`);
  await page.waitForSelector('#trajectory-table');
  const before = (await apiJson(page, `/api/children/${child}/assessments`)).body;
  assert.equal(await page.locator('#trajectory-table tbody tr').count(), before.assessments.length);
  const box = await page.locator('#trajectory-chart').boundingBox();
  assert.ok(box && box.width > 300 && box.height > 150, 'the trajectory chart is drawn');
  const level = before.current.level === 'serious' ? 'significant' : 'serious';
  await page.click('#override-details summary');
  await page.click(`#override-level${level === 'serious' ? '' : `-${level}`}`);
  await page.click('#override-form button[type=submit]');
  await page.waitForSelector('#override-reason-error:not([hidden])');
  assert.match(await page.textContent('#override-form .govuk-error-summary'), /Enter a reason of at least 10 characters/);
  await page.click('#screening-details summary'); // every form of the judgement open for axe
  await checkPage(page, 'child-override-errors');
  await page.locator('#override-details').screenshot({ path: join(artifacts, 'child-override-errors.png') });
  const reason = 'disclosed to the school nurse; strategy meeting today';
  await page.fill('#override-reason', reason);
  await page.click('#override-form button[type=submit]');
  await page.waitForSelector('#judgement-done');
  const afterOverride = (await apiJson(page, `/api/children/${child}/assessments`)).body;
  const last = afterOverride.assessments.at(-1);
  assert.equal(afterOverride.assessments.length, before.assessments.length + 1);
  assert.deepEqual([last.kind, last.level, last.override.reason, last.override.by], ['override', level, reason, name]);
  assert.equal(await page.locator('#trajectory-table tbody tr').count(), afterOverride.assessments.length);
  await checkPage(page, 'child-judgement');
  await page.locator('#trajectory').screenshot({ path: join(artifacts, 'child-trajectory.png') });

  // MASE: the meetings, one meeting's agenda, and an action agreed at it.
  await page.goto(`${base}/mase`);
  await checkPage(page, 'mase');
  const meetings = (await apiJson(page, '/api/mase/meetings')).body.meetings;
  assert.ok(meetings.length > 0, 'demo-users seeded a meeting');
  assert.equal(await page.locator('#meetings-table tbody tr').count(), meetings.length);
  await page.goto(`${base}/mase/${meetings[0].id}`);
  await checkPage(page, 'mase-meeting');
  const meeting = (await apiJson(page, `/api/mase/meetings/${meetings[0].id}`)).body;
  assert.equal(await page.locator('#agenda-table tbody tr').count(), Math.min(50, meeting.agenda.length));
  await page.click('#meeting-action-details summary');
  const title = 'Joint visit with the school and the police';
  await page.fill('#action-title', title);
  await page.fill('#action-due', new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10));
  await page.click('#action-form button[type=submit]');
  await page.waitForSelector('#action-done');
  const linked = (await apiJson(page, `/api/actions?link_kind=meeting&link_id=${meeting.id}`)).body.actions;
  const made = linked.find((a) => a.title === title);
  assert.ok(made, 'the action is stored, linked to the meeting');
  assert.deepEqual([made.owner_user, made.status, made.version], [name, 'open', 1]);
  assert.equal(await page.locator('#meeting-actions-table tbody tr').count(), linked.length);

  // Actions: the one just set is listed, and marked done through the page (If-Match of the version listed).
  await page.goto(`${base}/actions`);
  await checkPage(page, 'actions');
  const all = (await apiJson(page, '/api/actions')).body.actions;
  assert.equal(await page.locator('#actions-table tbody tr').count(), all.length);
  await page.selectOption('#update-action', String(made.id));
  await page.click('#update-status'); // the first choice: done
  await page.click('#update-form button[type=submit]');
  await page.waitForSelector('#update-done');
  const updated = (await apiJson(page, '/api/actions')).body.actions.find((a) => a.id === made.id);
  assert.deepEqual([updated.status, updated.version], ['done', 2]);
  // The overdue filter asks the API.
  await page.goto(`${base}/actions?overdue=1`);
  await page.waitForSelector('main[data-ready]');
  const overdue = (await apiJson(page, '/api/actions?overdue=1')).body.actions;
  assert.equal(await page.locator('#actions-table tbody tr').count(), overdue.length);
  assert.ok(overdue.every((a) => a.overdue && a.status === 'open'));
  await page.goto(`${base}/disruptions`);
  await checkPage(page, 'disruptions');
  const disruptions = (await apiJson(page, '/api/disruptions')).body.disruptions;
  assert.equal(await page.locator('#disruptions-table tbody tr').count(), disruptions.length);
  assert.deepEqual(page.problems.console, []);
});

test('need-to-know: a user of another agency without an agreement cannot open the child; break-glass asks for a reason', async () => {
  const child = allocated.get(councilPractitioner())[0];
  const holders = new Set(
    sql(`SELECT DISTINCT r.agency_code FROM mention_person mp JOIN person_mention pm ON pm.id = mp.mention_id
         JOIN source_record r ON r.id = pm.source_record_id WHERE mp.person_id = ${Number(child)}`).map((r) => r[0]),
  );
  const kinds = new Map(sql('SELECT code, kind FROM agency').map(([code, kind]) => [code, kind]));
  // Agreements are to councils and the police only: an NHS trust or a school holding no record of this child.
  const outsider = [...users.entries()].find(
    ([n, u]) => n.endsWith('-practitioner') && !holders.has(u.agency) && !['council', 'police'].includes(kinds.get(u.agency)),
  )?.[0];
  assert.ok(outsider, 'an agency without records or an agreement');
  breakGlassUser = outsider;
  const page = await newPage();
  page.problems.allowed.push(404);
  await signIn(page, outsider, `/children/${child}`);
  await checkPage(page, 'child-not-visible');
  assert.match(await page.textContent('h1'), /There is no record you can see/);
  const [[childName]] = sql(`SELECT display_name FROM person WHERE id = ${Number(child)}`);
  assert.ok(childName.length > 3);
  assert.ok(!(await page.content()).includes(childName), 'nothing of the child reaches the refused page');
  await page.click('summary >> text=Emergency access');
  await page.click('button >> text=Use break-glass access');
  await page.waitForSelector('#break-glass-reason-error:not([hidden])');
  assert.match(await page.textContent('.govuk-error-summary'), /Enter a reason of at least 10 characters/);
  await screenshot(page, 'break-glass-reason');
  const before = Number(sql(`SELECT count(*) FROM break_glass WHERE person_id = ${Number(child)}`)[0][0]);
  assert.equal(before, 0, 'no grant without a reason');
  await page.fill('#break-glass-reason', 'child reported missing tonight; the council is not reachable');
  await Promise.all([page.waitForEvent('load'), page.click('button >> text=Use break-glass access')]);
  await page.waitForSelector('main[data-ready]');
  assert.match(await page.textContent('main'), /You are using break-glass access/);
  await screenshot(page, 'child-break-glass');
  assert.equal(Number(sql(`SELECT count(*) FROM break_glass WHERE person_id = ${Number(child)}`)[0][0]), 1);
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

test('places of concern: the offline map and the same list as a table, a place with its time profile and people', async () => {
  const name = [...users.entries()].find(([n, u]) => u.role === 'practitioner' && n.includes('-cs-') && !lastStep.has(n))?.[0];
  const page = await newPage();
  // Offline: every request the pages make is to this server (no tile server, no image from elsewhere).
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${base}/`)) elsewhere.push(r.url());
  });
  await signIn(page, name, '/places');
  const places = (await apiJson(page, '/api/places')).body.places;
  assert.ok(places.length > 0, 'the demo has places of concern');
  await page.waitForSelector('#places-map[data-drawn]', { timeout: 10_000 });
  await checkPage(page, 'places');
  assert.equal(await page.locator('#places-table tbody tr').count(), places.length, 'the table lists every place');
  // The base layer: the seven district boundaries, named on the map.
  assert.equal(await page.locator('#places-map path.rr-map-district').count(), 7);
  const labels = await page.$$eval('#places-map .rr-map-label', (els) => els.map((e) => e.textContent).sort());
  assert.deepEqual(labels, ['Birmingham', 'Coventry', 'Dudley', 'Sandwell', 'Solihull', 'Walsall', 'Wolverhampton']);
  // One marker per place with a location, lowest score drawn first; the highest-scoring marker is the biggest.
  const located = places.filter((p) => p.location);
  assert.ok(located.length > 0, 'the demo places have locations');
  const markers = page.locator('#places-map path.rr-map-place');
  assert.equal(await markers.count(), located.length, 'one marker per place with a location');
  const boxes = await markers.evaluateAll((ps) => ps.map((p) => p.getBoundingClientRect().width));
  const top = [...located].sort((a, b) => a.score - b.score || a.id - b.id).at(-1);
  assert.equal(Math.max(...boxes), boxes.at(-1), 'the last-drawn (highest-scoring) marker is the biggest');
  // Its popup: type, district, score and the link to the place.
  await markers.last().click();
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor();
  assert.match(await popup.textContent(), new RegExp(`${top.district}\\. Score `));
  assert.equal(await popup.locator('a').first().getAttribute('href'), `/places/${top.id}`);
  await page.waitForTimeout(400); // the map pans to show the whole popup
  await page.locator('#places-map').screenshot({ path: join(artifacts, 'places-popup.png') });
  const csp = await page.evaluate(() => window.__csp);
  assert.deepEqual(csp, [], 'places map: CSP violations');
  assert.deepEqual(elsewhere, [], 'requests to anywhere but this server');

  await Promise.all([page.waitForEvent('load'), page.click('#places-table tbody tr:first-child a')]);
  assert.equal(new URL(page.url()).pathname, `/places/${places[0].id}`);
  await checkPage(page, 'place');
  const view = (await apiJson(page, `/api/places/${places[0].id}`)).body;
  assert.equal(await page.locator('#place-reasons li').count(), view.place.reasons.length);
  assert.equal(await page.locator('#place-people tbody tr').count(), view.people?.length ?? 0);
  // The time profile: three charts drawn, each with its figures in a table equal to the API's.
  for (const id of ['#place-weekday-chart', '#place-hour-chart', '#place-trend-chart']) {
    const box = await page.locator(id).boundingBox();
    assert.ok(box && box.width > 300 && box.height > 150, `${id} is drawn`);
  }
  const figures = (id) => page.$$eval(`${id} tbody tr td`, (tds) => tds.map((td) => Number(td.textContent.replace(/,/g, ''))));
  assert.deepEqual(await figures('#place-weekday-table'), view.place.profile.by_weekday);
  assert.deepEqual(await figures('#place-hour-table'), view.place.profile.by_hour);
  assert.deepEqual(await figures('#place-trend-table'), [view.place.profile.previous_quarter, view.place.profile.last_quarter]);
  // The agency's case notes on the place: the practitioner adds one; it is listed and the API has it.
  const notesBefore = (await apiJson(page, `/api/places/${view.place.id}/notes`)).body.notes.length;
  await page.waitForSelector('#note-form');
  await page.fill('#note-text', 'Night manager reports two girls arriving by taxi after 22:00.');
  await page.click('#note-form button[type=submit]');
  await page.waitForSelector('#notes-list >> text=two girls arriving by taxi');
  const notesAfter = (await apiJson(page, `/api/places/${view.place.id}/notes`)).body.notes;
  assert.equal(notesAfter.length, notesBefore + 1);
  assert.equal(notesAfter.at(-1).author, name);
  await checkAxe(page, 'place-with-note');
  assert.deepEqual(elsewhere, [], 'requests to anywhere but this server');
  await page.context().close();
});

// A synthetic graph of `n` nodes (fictional labels) in the API's shape: persons of concern each with children
// and places around them, a ring of co-offending among them.
function syntheticGraph(n) {
  const nodes = [];
  const edges = [];
  const hubs = Math.max(1, Math.round(n / 20));
  for (let i = 0; i < n; i++) {
    const kind = i < hubs ? 'person_of_concern' : i % 5 === 0 ? 'place' : i % 7 === 0 ? 'hidden' : 'child';
    nodes.push({ id: `n${i}`, kind, label: kind === 'hidden' ? '(not shown)' : `Synthetic ${kind} ${i}`, identified: kind !== 'hidden' });
    const month = String((i % 12) + 1).padStart(2, '0');
    if (i >= hubs) edges.push({ source: `n${i % hubs}`, target: `n${i}`, kind: kind === 'place' ? 'person_place' : 'child_adult', weight: 1, occasions: 1, first: `2025-${month}-01`, last: `2025-${month}-20` });
    else if (i > 0) edges.push({ source: `n${i - 1}`, target: `n${i}`, kind: 'co_offending', weight: 2, occasions: 2, first: '2025-01-05', last: '2025-11-30' });
  }
  return { nodes, edges, truncated: false };
}

const chartFigures = [];

test('offender networks: the list, a network as a chart with its priorities and tables, a person, GraphML, 2,000 nodes', async () => {
  // A police practitioner sees the most of a network (the persons of concern are police subjects).
  const name = [...users.entries()].find(([n, u]) => u.role === 'practitioner' && u.agency.startsWith('wmp') && !lastStep.has(n))?.[0]
    ?? [...users.entries()].find(([n, u]) => u.role === 'manager' && n.includes('-cs-') && !lastStep.has(n))?.[0];
  const page = await newPage();
  await signIn(page, name, '/networks');
  await checkPage(page, 'networks');
  const networks = (await apiJson(page, '/api/networks')).body.networks;
  assert.equal(await page.locator('#networks-table tbody tr').count(), networks.length);
  assert.ok(networks.length > 0, 'the demo has networks');
  const id = networks[0].id;
  await Promise.all([page.waitForEvent('load'), page.click('#networks-table tbody tr:first-child a')]);
  await page.waitForSelector('#network-chart[data-drawn]', { timeout: 15_000 });
  await checkPage(page, 'network');
  const view = (await apiJson(page, `/api/networks/${id}`)).body;
  assert.equal(await page.locator('#network-members tbody tr').count(), view.members?.length ?? 0);
  const graph = (await apiJson(page, `/api/networks/${id}/graph`)).body;
  assert.equal(await page.locator('#network-links tbody tr').count(), graph.edges.length, 'the table lists every link');
  assert.equal(await page.locator('#network-nodes tbody tr').count(), graph.nodes.length);
  assert.equal(Number(await page.getAttribute('#network-chart', 'data-nodes')), graph.nodes.length, 'the chart draws every node');
  const box = await page.locator('#network-chart canvas').first().boundingBox();
  assert.ok(box && box.width > 300 && box.height > 300, 'the chart is drawn');
  const priorities = (await apiJson(page, `/api/networks/${id}/priorities`)).body;
  assert.equal(await page.locator('#priorities-table tbody tr').count(), priorities.people.length);
  await page.locator('#network-chart').screenshot({ path: join(artifacts, 'network-chart.png') });
  chartFigures.push(`network ${id} (${graph.nodes.length} nodes, ${graph.edges.length} links): layout + first render ${await page.getAttribute('#network-chart', 'data-layout-ms')} ms`);
  // Filter: no places; the tables follow.
  await page.uncheck('#filter-person_place');
  const placeLinks = graph.edges.filter((e) => e.kind === 'person_place').length;
  await page.waitForFunction((n) => document.querySelectorAll('#network-links tbody tr').length === n, graph.edges.length - placeLinks);
  await page.check('#filter-person_place');
  // The GraphML download: a file masked as the page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#network-download')]);
  const file = await download.path();
  const { readFileSync } = await import('node:fs');
  const xml = readFileSync(file, 'utf8');
  assert.match(xml, /^<\?xml version="1.0"/);
  assert.equal((xml.match(/<node /g) ?? []).length, graph.nodes.length);
  assert.equal(download.suggestedFilename(), `network-${id}.graphml`);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'network: CSP violations');

  // A person of concern's own network.
  const person = priorities.people[0]?.person ?? Number(graph.nodes.find((n) => n.identified && n.id.startsWith('person-'))?.id.slice(7));
  await page.goto(`${base}/people/${person}?hops=2`);
  await page.waitForSelector('#network-chart[data-drawn]', { timeout: 15_000 });
  await checkPage(page, 'person');
  const ego = (await apiJson(page, `/api/people/${person}/network?hops=2`)).body;
  assert.equal(await page.locator('#network-links tbody tr').count(), ego.edges.length);
  assert.equal(await page.inputValue('#hops'), '2');

  // 2,000 nodes: the same page with a synthetic graph in place of the API's answer (layout + render measured
  // in the page, then how long a change of filter takes to redraw).
  const big = syntheticGraph(2000);
  await page.route(`**/api/networks/${id}/graph`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...big, network: id }) }));
  await page.goto(`${base}/networks/${id}`);
  await page.waitForSelector('#network-chart[data-drawn]', { timeout: 30_000 });
  const firstMs = Number(await page.getAttribute('#network-chart', 'data-layout-ms'));
  assert.equal(Number(await page.getAttribute('#network-chart', 'data-nodes')), 2000);
  await page.locator('#network-chart').screenshot({ path: join(artifacts, 'network-2000.png') });
  const t0 = Date.now();
  await page.uncheck('#filter-child_adult');
  await page.waitForFunction(() => document.querySelector('#network-status')?.textContent?.startsWith('Showing') && Number(document.querySelector('#network-chart')?.getAttribute('data-nodes')) < 2000);
  const filterMs = Date.now() - t0;
  // Zoom and pan by wheel and drag: the page still answers within a frame budget.
  const c = await page.locator('#network-chart').boundingBox();
  const t1 = Date.now();
  await page.mouse.move(c.x + c.width / 2, c.y + c.height / 2);
  await page.mouse.wheel(0, -400);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width / 2 + 80, c.y + c.height / 2 + 40, { steps: 5 });
  await page.mouse.up();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  const panMs = Date.now() - t1;
  chartFigures.push(`synthetic 2,000 nodes / ${big.edges.length} links: layout + first render ${firstMs} ms; filter change redrawn in ${filterMs} ms; wheel zoom + drag pan ${panMs} ms`);
  process.stdout.write(`network chart figures:\n  ${chartFigures.join('\n  ')}\n`);
  writeFileSync(join(artifacts, 'network-chart.txt'), `${chartFigures.join('\n')}\n`);
  assert.ok(firstMs < 5000, `2,000 nodes laid out and drawn in ${firstMs} ms`);
  assert.ok(filterMs < 5000, `a filter change with 2,000 nodes took ${filterMs} ms`);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], '2,000 nodes: CSP violations');
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

test('reports: the problem profile for a period, its tables, and the workbook', async () => {
  const name = [...users.entries()].find(([n, u]) => u.role === 'analyst' && !lastStep.has(n))?.[0];
  assert.ok(name, 'an analyst');
  const page = await newPage();
  await signIn(page, name, '/reports');
  await checkPage(page, 'reports');
  await page.fill('#profile-from', '2025-01-01');
  await page.fill('#profile-to', '2025-12-31');
  await page.click('#profile-run');
  await page.waitForSelector('#profile-result', { timeout: 60_000 });
  const tables = await page.locator('#profile-result table').count();
  assert.ok(tables >= 5, `${tables} tables`);
  assert.match(await page.textContent('#profile-summary'), /suppressed \("c"\)/);
  // No small number is shown in the publishable version.
  const counts = await page.$$eval('#profile-result td', (tds) => tds.map((td) => td.textContent.replace(/,/g, '')));
  for (const c of counts) assert.ok(c === 'c' || Number(c) === 0 || Number(c) >= 6, `a published count of ${c}`);
  await screenshot(page, 'reports-result');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#download-xlsx')]);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(await download.path()).subarray(0, 2).toString(), 'PK', 'an Excel workbook (zip)');
  assert.equal(download.suggestedFilename(), 'profile-2025-01-01-to-2025-12-31-publishable.xlsx');
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), [], 'reports result: axe');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

test('review: a possible match side by side with its waterfall, confirmed with a reason and If-Match', async () => {
  // The first practitioner or manager who may see a pending pair (both records within their rights).
  const candidates = [...users.entries()]
    .filter(([n, u]) => (u.role === 'practitioner' || u.role === 'manager') && !lastStep.has(n))
    .map(([n]) => n)
    .sort((a, b) => Number(b.includes('-cs-')) - Number(a.includes('-cs-'))); // councils' children's services first
  let page;
  let items = [];
  for (const name of candidates.slice(0, 12)) {
    page = await newPage();
    await signIn(page, name, '/review');
    items = (await apiJson(page, '/api/review?limit=5')).body.items ?? [];
    if (items.length) break;
    await page.context().close();
  }
  assert.ok(items.length, 'some practitioner sees a pending pair');
  await page.reload();
  await checkPage(page, 'review');
  assert.equal(await page.locator('#review-table tbody tr').count(), Math.min(50, (await apiJson(page, '/api/review')).body.items.length));
  const id = items[0].id;
  await page.goto(`${base}/review/${id}`);
  await checkPage(page, 'review-item');
  assert.ok(await page.locator('#side-by-side').isVisible());
  const item = (await apiJson(page, `/api/review/${id}`)).body;
  if (item.explanation) assert.equal(await page.locator('#waterfall-table tbody tr').count(), item.explanation.steps.length);
  await page.click('#decision-confirm');
  await page.fill('#decision-reason', 'same date of birth and school; confirmed with the school');
  await page.click('button >> text=Record decision');
  await page.waitForSelector('#decision-done');
  assert.match(await page.textContent('#decision-done'), /Match confirmed/);
  const decided = (await apiJson(page, `/api/review/${id}`)).body;
  assert.equal(decided.status, 'confirmed');
  assert.equal(decided.reason, 'same date of birth and school; confirmed with the school');
  assert.equal(decided.version, item.version + 1);
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

// The IG lead of the agency whose user used break-glass above: the grant is alerted to that agency.
const adminIgLead = () => (breakGlassUser ? `${users.get(breakGlassUser).agency}-ig_lead` : [...users.keys()].find((n) => n.endsWith('-ig_lead')));
let requestedAccount = null; // {id, name, requesterHalf}: asked for by the administrator, approved by the IG lead

test('administration: an administrator asks for a new account and is shown their half of the enrolment code once', async () => {
  const agency = users.get(adminIgLead()).agency;
  const name = [...users.keys()].find((n) => users.get(n).role === 'administrator' && users.get(n).agency === agency);
  assert.ok(name, `an administrator of ${agency}`);
  const page = await newPage();
  await signIn(page, name, '/admin');
  await checkPage(page, 'admin-administrator-forms');
  assert.equal(await page.locator('#users-table tbody tr').count(), (await apiJson(page, '/api/users')).body.users.length);
  await page.click('button >> text=Ask for the account');
  assert.match(await page.textContent('#account-form .govuk-error-summary'), /Enter the user name/);
  await page.fill('#account-name', 'web.test.starter');
  await page.selectOption('#account-role', 'practitioner');
  await page.fill('#account-reason', 'new starter in the exploitation team');
  await page.click('button >> text=Ask for the account');
  await page.waitForSelector('#enrolment-code');
  const half = (await page.textContent('#enrolment-code-value')).trim();
  assert.ok(half.length >= 8, 'the requester half is shown');
  const pending = (await apiJson(page, '/api/approvals')).body.requests.find((r) => r.subject === 'web.test.starter');
  assert.equal(pending.state, 'pending');
  requestedAccount = { id: pending.id, name: 'web.test.starter', requesterHalf: half };
  await checkAxe(page, 'admin-administrator');
  await screenshot(page, 'admin-administrator');
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

test("administration: the IG lead sees the audit log verified, the agency's agreements, and reviews the break-glass use", async () => {
  const page = await newPage();
  const name = adminIgLead();
  await signIn(page, name, '/admin');
  await checkPage(page, 'admin');
  assert.match(await page.textContent('#audit-status'), /Verified/);
  const agreements = (await apiJson(page, '/api/agreements')).body.agreements;
  assert.equal(await page.locator('#agreements-table tbody tr').count(), agreements.length);
  if (breakGlassUser) {
    const grants = (await apiJson(page, '/api/break-glass')).body.grants;
    const grant = grants.find((g) => g.user === breakGlassUser);
    assert.ok(grant, 'the break-glass use is listed for review');
    assert.equal(await page.locator('#break-glass-table tbody tr').count(), grants.length);
    await page.selectOption('#review-grant', String(grant.id));
    await page.click('#review-outcome-appropriate');
    await page.fill('#review-note', 'checked with the practitioner and their manager: a missing child');
    await Promise.all([page.waitForEvent('load'), page.click('button >> text=Record review')]);
    await page.waitForSelector('main[data-ready]');
    const after = (await apiJson(page, '/api/break-glass?all=1')).body.grants.find((g) => g.id === grant.id);
    assert.equal(after.reviewed_by, name);
    assert.equal(await page.locator(`#review-grant option[value="${grant.id}"]`).count(), 0, 'a reviewed grant leaves the list');
  }
  if (requestedAccount) {
    // The second person: the IG lead approves the administrator's request and is shown the other half.
    await page.selectOption('#decide-request', String(requestedAccount.id));
    await page.check('#decide-outcome');
    await page.fill('#decide-note', 'start date confirmed with the team manager');
    await page.click('button >> text=Record decision');
    await page.waitForSelector('#enrolment-code');
    const half = (await page.textContent('#enrolment-code-value')).trim();
    assert.ok(half.length >= 8 && half !== requestedAccount.requesterHalf, 'the approver half differs from the requester half');
    const decided = (await apiJson(page, '/api/approvals?all=1')).body.requests.find((r) => r.id === requestedAccount.id);
    assert.equal(decided.state, 'approved');
  }
  await page.fill('#audit-user', name);
  await page.click('button >> text=Search the audit log');
  await page.waitForSelector('#audit-table');
  const rows = page.locator('#audit-table tbody tr');
  assert.ok((await rows.count()) > 0 && (await rows.count()) <= 50);
  assert.match(await rows.first().textContent(), new RegExp(name));
  // "About": every event on one target, whoever it was by (here the log's own reads, audit_log:...): the search's
  // rows all name that target, and the API gives the same number.
  const target = (await rows.first().locator('td').nth(5).textContent()).trim();
  await page.fill('#audit-user', '');
  await page.fill('#audit-target', target);
  const searched = page.waitForResponse((r) => r.url().includes('/api/audit?') && r.url().includes('target='));
  await page.click('button >> text=Search the audit log');
  await searched;
  // The new rows replace the user search's (which may hold other targets): wait until the table holds only it.
  await page.waitForFunction((t) => {
    const cells = [...document.querySelectorAll('#audit-table tbody tr td:nth-child(6)')];
    return cells.length > 0 && cells.every((c) => c.textContent.trim() === t);
  }, target, { timeout: 10_000 });
  const targets = await page.locator('#audit-table tbody tr td:nth-child(6)').allTextContents();
  assert.ok(targets.length > 0);
  assert.deepEqual([...new Set(targets.map((t) => t.trim()))], [target]);
  await checkAxe(page, 'admin-after-forms');
  assert.deepEqual(page.problems.console, []);
  await page.context().close();
});

test('an unknown page is a 404 with the page-not-found view', async () => {
  const page = await newPage();
  page.problems.allowed.push(404);
  const response = await page.goto(`${base}/no-such-page`);
  assert.equal(response.status(), 404);
  await checkPage(page, 'not-found');
  assert.equal(await page.textContent('h1'), 'Page not found');
  await page.context().close();
});

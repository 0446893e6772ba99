import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchPage, PAGE_TEMPLATES, safeNext } from '../../src/routes';

describe('page URLs', () => {
  it('match the contract', () => {
    expect(matchPage('/')).toEqual({ page: 'radar' });
    expect(matchPage('/sign-in')).toEqual({ page: 'sign-in' });
    expect(matchPage('/children/17')).toEqual({ page: 'child', id: '17' });
    expect(matchPage('/review')).toEqual({ page: 'review-list' });
    expect(matchPage('/review/3')).toEqual({ page: 'review-item', id: '3' });
    expect(matchPage('/places')).toEqual({ page: 'places' });
    expect(matchPage('/places/8')).toEqual({ page: 'place', id: '8' });
    expect(matchPage('/networks')).toEqual({ page: 'networks' });
    expect(matchPage('/networks/2')).toEqual({ page: 'network', id: '2' });
    expect(matchPage('/admin')).toEqual({ page: 'admin' });
    expect(matchPage('/people/3')).toEqual({ page: 'person', id: '3' });
    expect(matchPage('/reports')).toEqual({ page: 'reports' });
    for (const other of ['/children/abc', '/children/17/x', '/review/', '/Admin', '/children/1234567890123456789', '/index.html']) {
      expect(matchPage(other).page).toBe('not-found');
    }
  });

  it('include the practitioner workflow pages', () => {
    expect(matchPage('/caseload')).toEqual({ page: 'caseload' });
    expect(matchPage('/alerts')).toEqual({ page: 'alerts' });
    expect(matchPage('/mase')).toEqual({ page: 'mase-list' });
    expect(matchPage('/mase/4')).toEqual({ page: 'mase', id: '4' });
    expect(matchPage('/actions')).toEqual({ page: 'actions' });
    expect(matchPage('/disruptions')).toEqual({ page: 'disruptions' });
    for (const other of ['/mase/', '/mase/x', '/mase/4/minutes', '/caseload/1', '/Actions']) expect(matchPage(other).page).toBe('not-found');
    expect(safeNext('/actions?overdue=1')).toBe('/actions?overdue=1');
  });

  it('are the ones the server answers with the app (WebPages() in src/server/web_assets.cc)', () => {
    const source = readFileSync(resolve(process.cwd(), '../src/server/web_assets.cc'), 'utf8');
    const block = source.slice(source.indexOf('kPages = {'), source.indexOf('};', source.indexOf('kPages = {')));
    const served = [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(served).toEqual(PAGE_TEMPLATES);
    for (const t of served) expect(matchPage(t.replace('{id}', '42')).page).not.toBe('not-found');
  });

  it('return after sign-in only to a page of this site', () => {
    expect(safeNext('/children/17')).toBe('/children/17');
    expect(safeNext(null)).toBe('/');
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/sign-in', '/nowhere', '/children/1\n']) {
      expect(safeNext(evil)).toBe('/');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { el } from '../../src/dom';

describe('el', () => {
  it('puts API text in as text, never as markup', () => {
    const node = el('p', {}, '<img src=x onerror=alert(1)>', 7);
    expect(node.children.length).toBe(0);
    expect(node.textContent).toBe('<img src=x onerror=alert(1)>7');
  });
  it('refuses style and event-handler attributes (the CSP forbids them; so does the builder)', () => {
    expect(() => el('div', { style: 'color: red' })).toThrow('attribute style is not allowed');
    expect(() => el('a', { onclick: 'x()' })).toThrow('attribute onclick is not allowed');
  });
  it('sets boolean attributes and skips absent ones', () => {
    const node = el('input', { hidden: true, disabled: false, id: undefined, name: 'n' });
    expect(node.hasAttribute('hidden')).toBe(true);
    expect(node.hasAttribute('disabled')).toBe(false);
    expect(node.hasAttribute('id')).toBe(false);
    expect(node.getAttribute('name')).toBe('n');
  });
});

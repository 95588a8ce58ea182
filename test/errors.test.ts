import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERRORS, reasonLabel } from '../shared/errors.js';

describe('the error registry', () => {
  const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with its status', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
      if (status < 500 || code === 'CADRE_ERR_INTERNAL') expect(row).toContain(`| ${status} |`);
    }
  });

  it('gives each code a short metric label', () => {
    expect(reasonLabel('CADRE_ERR_BAD_JSON')).toBe('bad_json');
    expect(reasonLabel('CADRE_ERR_UNKNOWN_ELEMENT')).toBe('unknown_element');
  });
});

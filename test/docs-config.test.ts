import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDocs } from '../packages/trainer/src/config-docs.js';

describe('docs/config.md', () => {
  it('is the generated reference of the current schemas (regenerate with `npx brevity docs --out docs/config.md`)', () => {
    expect(readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8')).toBe(configDocs());
  });

  it('documents every option with a description', () => {
    const rows = configDocs()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(80);
    for (const row of rows) expect(row.split('|')[4]?.trim(), row).not.toBe('');
  });
});

/**
 * docs/envs.md embeds the generated params reference; this keeps the copy in sync with the schemas.
 * Table padding is ignored, so `prettier --write docs` may align the columns.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envsReference } from '@brevity/envs';

describe('docs/envs.md', () => {
  it('holds the current params reference of every environment', () => {
    const doc = readFileSync(new URL('../docs/envs.md', import.meta.url), 'utf8');
    const m = /<!-- envs-reference:start -->([\s\S]*)<!-- envs-reference:end -->/.exec(doc);
    expect(m, 'docs/envs.md lost its envs-reference markers').not.toBeNull();
    const squash = (t: string) =>
      t
        .split('\n')
        .map((l) => l.replace(/\s*\|\s*/g, '|').replace(/-{3,}/g, '---'))
        .join('\n')
        .trim();
    expect(squash(m![1])).toBe(squash(envsReference()));
  });
});

/** docs/rewards.md carries the params reference generated from the schemas; it must not go stale. */
import { readFileSync } from 'node:fs';
import prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { rewardsReference } from './docs.js';
import { rewardNames } from './registry.js';

const file = new URL('../../../docs/rewards.md', import.meta.url).pathname;
const begin = '<!-- BEGIN GENERATED: node scripts/docs-rewards.mjs; do not edit by hand -->';
const end = '<!-- END GENERATED -->';

describe('docs/rewards.md', () => {
  it('has the generated reference of every reward, up to date (node scripts/docs-rewards.mjs)', async () => {
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    expect(a).toBeGreaterThan(0);
    const raw = `${text.slice(0, a + begin.length)}\n\n${rewardsReference()}\n${text.slice(b)}`;
    const want = await prettier.format(raw, { ...(await prettier.resolveConfig(file)), filepath: file });
    expect(text).toBe(want);
    for (const name of rewardNames()) expect(text).toContain(`### \`${name}\``);
  });
});

// Regenerates the params reference in docs/rewards.md from the zod schemas (between the GENERATED markers),
// formatted with prettier.
// Usage: npx tsc -b && node scripts/docs-rewards.mjs [--check]   (--check: exit 1 if the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';
import { rewardsReference } from '../packages/rewards/dist/index.js';

const file = join(import.meta.dirname, '..', 'docs', 'rewards.md');
const begin = '<!-- BEGIN GENERATED: node scripts/docs-rewards.mjs; do not edit by hand -->';
const end = '<!-- END GENERATED -->';
const text = readFileSync(file, 'utf8');
const a = text.indexOf(begin);
const b = text.indexOf(end);
if (a < 0 || b < a) throw new Error(`${file}: the GENERATED markers are missing`);
const raw = `${text.slice(0, a + begin.length)}\n\n${rewardsReference()}\n${text.slice(b)}`;
// Formatted as `npx prettier --write` would, so the file stays both generated and prettier-clean.
const next = await prettier.format(raw, { ...(await prettier.resolveConfig(file)), filepath: file });
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error(`${file} is stale: run node scripts/docs-rewards.mjs`);
    process.exit(1);
  }
} else if (next !== text) {
  writeFileSync(file, next);
  console.error(`wrote ${file}`);
}

/**
 * The params reference of every reward as Markdown, generated from the zod schemas (style rule 4: `.describe()`
 * is the only documentation of a param). `scripts/docs-rewards.mjs` writes it into docs/rewards.md.
 */
import { rewardDefinitions, rewardParamsJsonSchema } from './registry.js';

interface Schema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeText(s: Schema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return `${s.items ? typeText(s.items) : 'any'}[]`;
  if (s.type === 'object' && !s.properties) return 'object';
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  const range: string[] = [];
  if (s.minimum !== undefined) range.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) range.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) range.push(`<= ${s.maximum}`);
  return range.length ? `${t} (${range.join(', ')})` : t;
}

/** One row per param; objects and arrays of objects are expanded (`base.wrong`, `schedule[].limit`). */
function rows(s: Schema, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const path = prefix + k;
    const required = (s.required ?? []).includes(k) && v.default === undefined;
    const def = v.default === undefined ? (required ? 'required' : '-') : `\`${JSON.stringify(v.default)}\``;
    out.push(`| \`${path}\` | ${cell(typeText(v))} | ${def} | ${cell(v.description ?? '')} |`);
    if (v.type === 'object' && v.properties) rows(v, `${path}.`, out);
    if (v.type === 'array' && v.items?.properties) rows(v.items, `${path}[].`, out);
  }
}

/** Markdown: a section per reward with its summary, source and params table. */
export function rewardsReference(): string {
  const parts: string[] = [];
  for (const d of rewardDefinitions) {
    const table: string[] = [];
    rows(rewardParamsJsonSchema(d.name) as Schema, '', table);
    parts.push(
      `### \`${d.name}\``,
      '',
      d.summary,
      '',
      `Source: ${d.source}`,
      '',
      ...(table.length
        ? ['| param | type | default | description |', '|---|---|---|---|', ...table]
        : ['No params.']),
      '',
    );
  }
  return parts.join('\n');
}

/**
 * Generates a Markdown reference of every option of a zod schema from its `.describe()` texts
 * (style rule 4: the schema is the only documentation of an option).
 */
import { z } from 'zod';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  required?: string[];
}

function typeText(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeText).join(' | ');
  if (s.type === 'array') return `${s.items ? typeText(s.items) : 'any'}[]`;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  const range: string[] = [];
  const safe = Number.MAX_SAFE_INTEGER;
  if (s.minimum !== undefined && s.minimum !== -safe) range.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) range.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum !== safe) range.push(`<= ${s.maximum}`);
  return range.length ? `${t} (${range.join(', ')})` : t;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function walk(s: JsonSchema, prefix: string, rows: string[], required: boolean): void {
  const isObject = s.type === 'object' && s.properties;
  if (prefix) {
    const def = s.default === undefined ? (required ? 'required' : '-') : `\`${JSON.stringify(s.default)}\``;
    rows.push(
      `| \`${prefix}\` | ${isObject ? 'object' : cell(typeText(s))} | ${cell(def)} | ${cell(s.description ?? '')} |`,
    );
  }
  if (isObject) {
    for (const [k, v] of Object.entries(s.properties!)) {
      walk(v, prefix ? `${prefix}.${k}` : k, rows, (s.required ?? []).includes(k) && v.default === undefined);
    }
  } else if (s.type === 'array' && s.items?.type === 'object' && s.items.properties) {
    // Fields of the objects inside a list, as `list[].field`.
    for (const [k, v] of Object.entries(s.items.properties)) {
      walk(v, `${prefix}[].${k}`, rows, (s.items.required ?? []).includes(k) && v.default === undefined);
    }
  }
}

/** Markdown table of every option: path, type, default, description. */
export function configReference(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = [];
  walk(json, '', rows, false);
  return [
    `# ${title}`,
    '',
    'Generated from the zod schemas by `brevity docs`; do not edit by hand.',
    '',
    '| option | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * Config plumbing: YAML files with `extends`, `--set a.b=value` overrides, and zod validation whose errors
 * name the file, the line, the field path and what was expected (house style rules 4-5).
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, parse as parseYamlValue, isMap, isSeq, type Node } from 'yaml';
import { z } from 'zod';

/** A config problem, formatted as one line: `file:line: field.path: what is wrong`. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;

interface ParsedFile {
  file: string;
  doc: ReturnType<typeof parseDocument>;
  lines: LineCounter;
}

/** Where each value came from: the files of the extends chain (base first) and the overrides. */
export interface ConfigSources {
  files: ParsedFile[];
  overrides: string[];
}

const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge: objects merge key by key, everything else (arrays included) is replaced by `over`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function parseFile(file: string): ParsedFile & { data: Plain } {
  if (!existsSync(file)) throw new ConfigError(`${file}: config file not found`, file);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = lines.linePos(e.pos[0]).line;
    throw new ConfigError(`${file}:${line}: malformed YAML: ${e.message.split('\n')[0]}`, file, line);
  }
  const data = doc.toJS() ?? {};
  if (!isPlainObject(data)) throw new ConfigError(`${file}:1: the config must be a YAML mapping`, file, 1);
  return { file, doc, lines, data };
}

/** Loads a YAML file and its `extends` chain (a path or a list, relative to the file), merged base first. */
export function loadYamlTree(file: string, seen: string[] = []): { data: Plain; files: ParsedFile[] } {
  const abs = resolve(file);
  if (seen.includes(abs))
    throw new ConfigError(`${file}: extends cycle: ${[...seen, abs].join(' -> ')}`, file);
  const parsed = parseFile(abs);
  const ext = parsed.data.extends;
  delete parsed.data.extends;
  const targets = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  let merged: unknown = {};
  const files: ParsedFile[] = [];
  for (const t of targets) {
    const line = lineOf(parsed, ['extends']);
    if (typeof t !== 'string')
      throw new ConfigError(
        `${abs}:${line}: extends: expected a file path, got ${JSON.stringify(t)}`,
        abs,
        line,
      );
    const target = resolve(dirname(abs), t);
    if (!existsSync(target))
      throw new ConfigError(
        `${abs}:${line}: extends: file not found: ${t} (looked for ${target})`,
        abs,
        line,
        'extends',
      );
    const sub = loadYamlTree(target, [...seen, abs]);
    merged = deepMerge(merged, sub.data);
    files.push(...sub.files);
  }
  files.push(parsed);
  return { data: deepMerge(merged, parsed.data) as Plain, files };
}

/** Parses `a.b.c=value`; the value is read as YAML (numbers, booleans, lists), the path by dots. */
export function parseOverride(spec: string): { path: string[]; value: unknown } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set ${spec}: expected path=value, e.g. --set optim.lr=1e-4`);
  const path = spec.slice(0, eq).trim().split('.');
  if (path.some((p) => p === '')) throw new ConfigError(`--set ${spec}: empty segment in the field path`);
  const raw = spec.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYamlValue(raw);
  } catch (e) {
    throw new ConfigError(`--set ${spec}: value is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return { path, value };
}

/** Applies overrides in order; numeric segments index into existing arrays. Returns a new object. */
export function applyOverrides(data: Plain, overrides: readonly string[]): Plain {
  const out = structuredClone(data);
  for (const spec of overrides) {
    const { path, value } = parseOverride(spec);
    let cur: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i];
      const next: unknown = (cur as Record<string, unknown>)[key];
      if (isPlainObject(next) || Array.isArray(next)) cur = next;
      else {
        if (next !== undefined)
          throw new ConfigError(
            `--set ${spec}: ${path.slice(0, i + 1).join('.')} is a ${typeof next}, not an object`,
          );
        const created: Plain = {};
        (cur as Record<string, unknown>)[key] = created;
        cur = created;
      }
    }
    (cur as Record<string, unknown>)[path[path.length - 1]] = value;
  }
  return out;
}

function lineOf(f: ParsedFile, path: readonly PropertyKey[]): number | undefined {
  // Walk down as far as the path exists, so an unknown or wrong field points at its closest ancestor.
  let node: unknown = f.doc.contents;
  let found: Node | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      found = (pair.key as Node) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      found = node as Node;
    } else break;
  }
  const range = found?.range;
  return range ? f.lines.linePos(range[0]).line : undefined;
}

function hasPath(f: ParsedFile, path: readonly PropertyKey[]): boolean {
  return f.doc.hasIn(path as unknown[]);
}

/** Names the origin of a field: the override that set it, else the last file of the chain that has it. */
function origin(
  sources: ConfigSources,
  path: readonly PropertyKey[],
): { where: string; file?: string; line?: number } {
  const dotted = path.join('.');
  for (let i = sources.overrides.length - 1; i >= 0; i--) {
    const p = sources.overrides[i].split('=')[0];
    if (dotted === p || dotted.startsWith(p + '.')) return { where: `--set ${sources.overrides[i]}` };
  }
  for (let len = path.length; len >= 0; len--) {
    const prefix = path.slice(0, len);
    for (let i = sources.files.length - 1; i >= 0; i--) {
      const f = sources.files[i];
      if (len === 0 || hasPath(f, prefix)) {
        const line = lineOf(f, path) ?? 1;
        return { where: `${f.file}:${line}`, file: f.file, line };
      }
    }
  }
  const f = sources.files[sources.files.length - 1];
  return f ? { where: `${f.file}:1`, file: f.file, line: 1 } : { where: '(config)' };
}

function describeIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    return {
      path: [...issue.path, keys[0]],
      message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} (check the spelling; \`brevity docs\` lists every option)`,
    };
  }
  return { path: [...issue.path], message: issue.message.replace(/^Invalid (input|option): /, '') };
}

/** Validates `data` against `schema`; on failure throws one ConfigError whose first line names file and field. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  data: unknown,
  sources: ConfigSources,
): z.output<S> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const lines = res.error.issues.map((issue) => {
    const { path, message } = describeIssue(issue);
    const o = origin(sources, path);
    return { text: `${o.where}: ${path.join('.') || '(root)'}: ${message}`, o, path };
  });
  const first = lines[0];
  throw new ConfigError(
    lines.map((l) => l.text).join('\n'),
    first.o.file,
    first.o.line,
    first.path.join('.'),
  );
}

/** Freezes an object and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Resolves a config once (style rule 5): YAML file and its extends chain, then overrides, then zod defaults
 * and validation; the result is deep-frozen.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  file: string,
  overrides: readonly string[] = [],
): z.output<S> {
  const tree = loadYamlTree(file);
  const data = applyOverrides(tree.data, overrides);
  return deepFreeze(validateConfig(schema, data, { files: tree.files, overrides: [...overrides] }));
}

/** Resolves a config given as an object (no file), e.g. from tests or a saved run; overrides apply on top. */
export function resolveConfigObject<S extends z.ZodType>(
  schema: S,
  data: Plain,
  overrides: readonly string[] = [],
): z.output<S> {
  return deepFreeze(
    validateConfig(schema, applyOverrides(data, overrides), { files: [], overrides: [...overrides] }),
  );
}

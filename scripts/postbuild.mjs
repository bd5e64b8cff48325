// Keeps the CLI entry points executable after `tsc -b` (git keeps bin/brevity.js's mode; dist is generated).
import { chmodSync, existsSync } from 'node:fs';
for (const rel of ['../packages/trainer/dist/cli.js', '../packages/trainer/bin/brevity.js']) {
  const file = new URL(rel, import.meta.url);
  if (existsSync(file)) chmodSync(file, 0o755);
}

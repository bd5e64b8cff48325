#!/usr/bin/env node
// The `brevity` executable. It lives outside dist/ so npm can link it before the first build runs (a fresh
// clone builds in the root `prepare` script, after npm has linked the workspace bins).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'brevity: the CLI is not built yet; run `npm install` (or `npm run build`) at the repo root\n',
  );
  process.exit(2);
}
await import(cli.href);

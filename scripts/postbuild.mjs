// Makes the CLI entry executable after `tsc -b`, so `npx brevity` works right after `npm install`.
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../packages/trainer/dist/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);

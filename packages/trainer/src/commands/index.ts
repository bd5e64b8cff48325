/**
 * Every `brevity` command, listed explicitly (style rule 9). A command file holds only its yargs definition
 * and imports its implementation lazily in the handler.
 */
import type { CommandModule } from 'yargs';
import { docsCommand } from './docs.js';
import { trainCommand } from './train.js';
import { benchCommand } from './bench.js';
import { sftCommand } from './sft.js';
import { evalCommand } from './eval.js';
import { scoreCommand } from './score.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';
import { reportCommand } from './report.js';
import { verifyCommand } from './verify.js';
import { dataCommand } from './data.js';
import { analyzeCommand } from './analyze.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  trainCommand,
  docsCommand,
  benchCommand,
  sftCommand,
  evalCommand,
  scoreCommand,
  serveCommand,
  sweepCommand,
  reportCommand,
  verifyCommand,
  dataCommand,
  analyzeCommand,
];

/** `brevity docs`: writes the Markdown reference of every config option, generated from the zod schemas. */
import type { CommandModule } from 'yargs';

export const docsCommand: CommandModule<object, { out?: string }> = {
  command: 'docs',
  describe: 'Print (or write with --out) the reference of every config option, generated from the schemas',
  builder: (y) => y.option('out', { type: 'string', describe: 'Write to this file instead of stdout' }),
  handler: async (argv) => {
    const { configDocs } = await import('../config-docs.js');
    const text = configDocs();
    if (argv.out) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(argv.out, text);
      process.stderr.write(`wrote ${argv.out}\n`);
    } else process.stdout.write(text);
  },
};

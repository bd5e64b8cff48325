/**
 * Progress display for training commands: one updating line on a terminal (step, rate, ETA and the given
 * fields), plain lines every `every` steps otherwise, so logs stay readable. Writes to stderr (stdout is
 * kept for machine-readable output).
 */
export interface ProgressOptions {
  total: number;
  /** Steps already done (a resumed run). */
  start: number;
  /** Plain-line interval when not on a terminal. */
  every: number;
  label: string;
  tty?: boolean;
  write?: (s: string) => void;
}

const fmtTime = (s: number) => {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
};

export class Progress {
  private readonly t0 = performance.now();
  private readonly tty: boolean;
  private readonly write: (s: string) => void;
  private open = false;

  constructor(private readonly o: ProgressOptions) {
    this.tty = o.tty ?? Boolean(process.stderr.isTTY);
    this.write = o.write ?? ((s) => process.stderr.write(s));
  }

  /** Reports that `done` steps are complete, with named values (numbers are shown to 4 significant digits). */
  update(done: number, fields: Record<string, number | string>): void {
    const elapsed = (performance.now() - this.t0) / 1000;
    const rate = (done - this.o.start) / elapsed;
    const eta = (this.o.total - done) / rate;
    const vals = Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
      .join('  ');
    const width = String(this.o.total).length;
    const line = `${this.o.label} ${String(done).padStart(width)}/${this.o.total}  ${vals}  ${fmtTime(elapsed)} elapsed, eta ${fmtTime(eta)}`;
    if (this.tty) {
      this.write(`\r\x1b[2K${line}`);
      this.open = true;
    } else if (done % this.o.every === 0 || done === this.o.total) this.write(line + '\n');
  }

  /** Prints a line of its own (e.g. an eval table) without breaking the updating line. */
  log(text: string): void {
    if (this.open) this.write('\r\x1b[2K');
    this.open = false;
    this.write(text.endsWith('\n') ? text : text + '\n');
  }

  stop(): void {
    if (this.open) this.write('\n');
    this.open = false;
  }
}

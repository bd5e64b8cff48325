/**
 * The sweep's progress: one status per run and a compact table. On a terminal the table of unfinished
 * runs is redrawn in place; otherwise each event is one line, and the full table is printed at the end.
 */
/** Where progress is written: stderr, or any stream-like sink (tests). */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type RunStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface RunRow {
  name: string;
  status: RunStatus;
  /** How the run was (or will be) started: fresh, resumed, or already complete. */
  action: 'start' | 'resume' | 'skip';
  step?: number;
  seconds?: number;
  note?: string;
}

/** Counts per status, in display order. */
export function counts(rows: readonly RunRow[]): Record<RunStatus, number> {
  const c: Record<RunStatus, number> = { done: 0, skipped: 0, running: 0, failed: 0, pending: 0 };
  for (const r of rows) c[r.status]++;
  return c;
}

export function summaryLine(rows: readonly RunRow[]): string {
  const c = counts(rows);
  return (
    `${c.done + c.skipped} done${c.skipped ? ` (${c.skipped} skipped)` : ''}, ${c.running} running, ` +
    `${c.failed} failed, ${c.pending} pending (${rows.length} runs)`
  );
}

export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A plain-text table of the given rows (name, status, step, time, note). */
export function table(rows: readonly RunRow[]): string[] {
  const cells = rows.map((r) => [
    r.name,
    r.status + (r.action === 'resume' && r.status !== 'pending' ? ' (resumed)' : ''),
    r.step === undefined ? '' : String(r.step),
    formatSeconds(r.seconds),
    r.note ?? '',
  ]);
  const head = ['run', 'status', 'step', 'time', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...cells.map(fmt)];
}

/** Writes progress to a stream: redrawn in place on a TTY, one line per event otherwise. */
export class ProgressDisplay {
  private drawn = 0;

  constructor(
    private readonly out: ProgressSink,
    private readonly rows: readonly RunRow[],
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** One event (a run started, finished or failed). */
  event(text: string): void {
    if (this.tty) this.clear();
    this.out.write(text + '\n');
    if (this.tty) this.redraw();
  }

  /** Redraws the live table (TTY only): running and failed runs, then the counts. */
  redraw(): void {
    if (!this.tty) return;
    this.clear();
    const live = this.rows.filter((r) => r.status === 'running' || r.status === 'failed');
    const lines = [...(live.length ? table(live) : []), summaryLine(this.rows)];
    this.out.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  /** The full table and the counts, once at the end. */
  final(): void {
    this.clear();
    this.out.write([...table(this.rows), summaryLine(this.rows)].join('\n') + '\n');
  }
}

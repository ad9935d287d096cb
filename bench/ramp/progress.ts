/**
 * Progress of the running bench step on stderr: a one-line bar redrawn in place when
 * stderr is a terminal, otherwise one plain line at the start and end of each step (so
 * logs and `make bench` output stay readable).
 *
 * @example
 *   const p = new StepProgress('switchboard 1000 cps', 13);
 *   p.update(4.2, 'calls 4200, current 12');
 *   p.done('pass');
 */

const WIDTH = 30;

export class StepProgress {
  private readonly tty = process.stderr.isTTY === true;
  private lastLen = 0;

  constructor(
    private readonly label: string,
    private readonly totalSeconds: number,
  ) {
    if (!this.tty) process.stderr.write(`${label}: running (${totalSeconds} s)\n`);
  }

  update(elapsedSeconds: number, detail: string): void {
    if (!this.tty) return;
    const frac = Math.max(0, Math.min(1, elapsedSeconds / this.totalSeconds));
    const filled = Math.round(frac * WIDTH);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${elapsedSeconds.toFixed(0)}/${this.totalSeconds} s ${detail}`;
    process.stderr.write(`\r${line.padEnd(this.lastLen)}`);
    this.lastLen = line.length;
  }

  done(outcome: string): void {
    if (this.tty) process.stderr.write(`\r${' '.repeat(this.lastLen)}\r`);
    else process.stderr.write(`${this.label}: ${outcome}\n`);
  }
}

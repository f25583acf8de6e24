// What a command printed, as the model gets it: stdout and stderr interleaved as they came, cut to the first and the
// last CAP bytes with the number of bytes left out between them, and how the command ended.

export const OUTPUT_CAP_BYTES = 8 * 1024;

/** Keeps the first and the last `cap` bytes of a stream of chunks, and counts the rest. Constant memory. */
export class CappedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  total = 0;

  constructor(private readonly cap = OUTPUT_CAP_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.cap) {
      const take = chunk.subarray(0, this.cap - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Drop whole chunks from the front while the rest still covers the cap, then trim the first one.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= this.cap) this.tailBytes -= this.tail.shift()!.length;
    if (this.tailBytes > this.cap * 2) {
      const joined = Buffer.concat(this.tail).subarray(this.tailBytes - this.cap);
      this.tail = [joined];
      this.tailBytes = joined.length;
    }
  }

  /** Bytes not kept. */
  get omitted(): number {
    return Math.max(0, this.total - this.headBytes - Math.min(this.tailBytes, this.cap));
  }

  /** The text kept, with a line saying how many bytes were left out between head and tail. */
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tailBuffer = Buffer.concat(this.tail);
    const tail = tailBuffer.subarray(Math.max(0, tailBuffer.length - this.cap)).toString('utf8');
    if (this.omitted === 0) return head + tail;
    return `${head}\n[… ${this.omitted} bytes left out …]\n${tail}`;
  }
}

/** How a command ended. */
export interface CommandEnd {
  exitCode: number | null;
  signal: string | null;
  timedOutAfterSeconds?: number;
  stoppedByUser?: boolean;
  durationMs: number;
}

/** Colours and cursor moves mean nothing to the model and cost tokens. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '').replace(/\r(?!\n)/g, '\n');
}

export function formatDuration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The status line: "exit code 0", "killed by SIGKILL", "timed out after 120 s", "stopped by the user". */
export function endText(end: CommandEnd): string {
  if (end.stoppedByUser) return 'stopped by the user';
  if (end.timedOutAfterSeconds !== undefined) return `timed out after ${end.timedOutAfterSeconds} s`;
  if (end.exitCode !== null) return `exit code ${end.exitCode}`;
  return `killed by signal ${end.signal ?? 'unknown'}`;
}

/** The tool result the model gets. */
export function commandResultText(command: string, cwd: string, end: CommandEnd, output: CappedOutput): string {
  const body = stripAnsi(output.text());
  const status = endText(end);
  const lines = [
    `Command: ${command}`,
    `Folder: ${cwd || '.'}`,
    `Result: ${status[0].toUpperCase()}${status.slice(1)} after ${formatDuration(end.durationMs)}.`,
    end.timedOutAfterSeconds !== undefined || end.stoppedByUser ? 'The command and everything it started were ended.' : undefined,
    output.total === 0 ? 'Output: (none)' : `Output (stdout and stderr interleaved, ${output.total} bytes${output.omitted > 0 ? `; the first and last ${OUTPUT_CAP_BYTES / 1024} KB are shown` : ''}):`,
    output.total === 0 ? undefined : body,
  ];
  return lines.filter((line) => line !== undefined).join('\n');
}

/** Whether a command ended well (exit code 0). */
export function succeeded(end: CommandEnd): boolean {
  return end.exitCode === 0 && !end.stoppedByUser && end.timedOutAfterSeconds === undefined;
}

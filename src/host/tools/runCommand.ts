// run_command: the folder checked (inside the workspace only), the command judged against
// fastrouter.tools.commandRules (deny → not run, and the model is told), then run as a child process of the extension
// host (commandProcess.ts) with its output live in the tool row and in the read-only "FastRouter" terminal.
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import { compileRules, judgeCommand } from '../../core/tools/commands/commandRules';
import { commandResultText, endText, formatDuration, succeeded } from '../../core/tools/commands/commandOutput';
import { shellDialect } from '../../core/tools/commands/shellCommand';
import type { PreparedToolCall, ToolProgress } from '../../core/tools/types';
import { Disposable } from '../dispose';
import type { SettingsService } from '../request/settings';
import { commandEnvironment, killGroup, runProcess } from './commandProcess';
import type { ToolWorkspace } from './workspace';

/** How often the row gets the live output (the terminal gets every chunk). */
const ROW_UPDATE_MS = 150;
/** The row shows the last part of the output while it runs. */
const ROW_OUTPUT_CHARS = 4000;

/** Whether commands can run here: a Node extension host (not VS Code for the Web without a remote). */
export function commandsSupported(): boolean {
  const nodeHost = typeof process === 'object' && typeof process.versions?.node === 'string';
  return nodeHost && !(vscode.env.uiKind === vscode.UIKind.Web && vscode.env.remoteName === undefined);
}

/** The user's shell, else /bin/sh or cmd. */
export function userShell(): string {
  const shell = vscode.env.shell;
  if (shell) return shell;
  return process.platform === 'win32' ? (process.env.ComSpec ?? 'cmd.exe') : '/bin/sh';
}

/** The read-only "FastRouter" terminal: the user watches, the process stays the extension's. */
class CommandTerminal extends Disposable implements vscode.Pseudoterminal {
  private readonly writes = this._register(new vscode.EventEmitter<string>());
  readonly onDidWrite = this.writes.event;
  private terminal: vscode.Terminal | undefined;
  private opened = false;
  private backlog: string[] = [];

  constructor() {
    super();
    this._register(vscode.window.onDidCloseTerminal((t) => {
      if (t === this.terminal) {
        this.terminal = undefined;
        this.opened = false;
      }
    }));
    this._register({ dispose: () => this.terminal?.dispose() });
  }

  open(): void {
    this.opened = true;
    for (const text of this.backlog) this.writes.fire(text);
    this.backlog = [];
  }

  close(): void {
    this.opened = false;
  }

  /** Keys typed into the terminal are ignored: it only shows. */
  handleInput(): void {}

  write(text: string): void {
    this.terminal ??= vscode.window.createTerminal({ name: 'FastRouter', pty: this, isTransient: true, iconPath: new vscode.ThemeIcon('terminal') });
    const crlf = text.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.writes.fire(crlf);
    else if (this.backlog.length < 1000) this.backlog.push(crlf);
  }
}

/** Runs the commands and owns what they started: everything still running is killed when the window closes. */
export class CommandRunner extends Disposable {
  private readonly running = new Set<ChildProcess>();
  readonly terminal = this._register(new CommandTerminal());

  constructor(private readonly settings: SettingsService, private readonly apiKey: () => Promise<string | undefined>) {
    super();
    this._register({ dispose: () => this.killAll() });
  }

  killAll(): void {
    for (const child of this.running) killGroup(child, true);
    this.running.clear();
  }

  get runningCount(): number {
    return this.running.size;
  }

  async prepare(ws: ToolWorkspace, input: ToolInput<'run_command'>): Promise<PreparedToolCall | { error: string; summary?: string }> {
    if (!commandsSupported()) return { error: 'Commands cannot run here (VS Code for the Web has no processes).' };
    const resolved = await ws.resolve(input.cwd ?? '');
    if (!resolved.ok) return { error: resolved.error, summary: `Run ${input.command.split('\n')[0]} (folder refused)` };
    const { fsPath: cwd, display } = resolved.path;
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(cwd));
      if (!(stat.type & vscode.FileType.Directory)) return { error: `"${display}" is not a folder; cwd must be a folder of the workspace.` };
    } catch {
      return { error: `The folder "${display}" does not exist.` };
    }
    const shell = userShell();
    const s = this.settings.current;
    const { rules } = compileRules(s['tools.commandRules']);
    const verdict = judgeCommand(input.command, rules, { cwd, roots: ws.roots().map((r) => r.fsPath), dialect: shellDialect(shell) });
    const firstLine = input.command.split('\n')[0];
    const short = firstLine.length > 80 ? `${firstLine.slice(0, 80)}…` : firstLine;
    if (verdict.decision === 'deny') {
      const part = verdict.parts.find((p) => p.verdict === 'deny');
      return {
        error: `The command was not run: the user's rule "${verdict.deniedBy}" (fastrouter.tools.commandRules) denies ${part ? `"${part.text}"` : 'it'}. Do not try to run it another way; ask the user if it is needed.`,
        summary: `Denied: ${short} (rule "${verdict.deniedBy}")`,
      };
    }
    const timeoutSeconds = input.timeout_seconds ?? s['tools.commandTimeoutSeconds'];
    return {
      summary: `Run ${short}`,
      command: { command: input.command, cwd: display, parts: verdict.parts, reasons: verdict.reasons },
      runsUnasked: verdict.decision === 'run',
      run: (signal, progress) => this.run({ command: input.command, cwd, display, shell, timeoutSeconds, short }, signal, progress),
    };
  }

  private async run(
    job: { command: string; cwd: string; display: string; shell: string; timeoutSeconds: number; short: string },
    signal: AbortSignal,
    progress?: ToolProgress,
  ): Promise<{ content: string; isError?: boolean; summary: string }> {
    this.terminal.write(`\x1b[1m$ ${job.command}\x1b[0m${job.display ? `  (in ${job.display})` : ''}\n`);
    let live = '';
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      timer = undefined;
      progress?.output(live);
    };
    const key = await this.apiKey().catch(() => undefined);
    const result = await runProcess({
      shell: job.shell,
      command: job.command,
      cwd: job.cwd,
      env: commandEnvironment(process.env, key ? [key] : []),
      timeoutSeconds: job.timeoutSeconds,
      signal,
      onOutput: (chunk) => {
        const text = chunk.toString('utf8');
        this.terminal.write(text);
        live = (live + text).slice(-ROW_OUTPUT_CHARS);
        timer ??= setTimeout(flush, ROW_UPDATE_MS);
      },
    }, (child) => {
      this.running.add(child);
      return () => this.running.delete(child);
    });
    if (timer) clearTimeout(timer);
    const status = endText(result);
    this.terminal.write(`\x1b[2m[${status}, ${formatDuration(result.durationMs)}]\x1b[0m\n\n`);
    return {
      content: commandResultText(job.command, job.display, result, result.output),
      ...(succeeded(result) ? {} : { isError: true }),
      summary: `Ran ${job.short} (${status}, ${formatDuration(result.durationMs)})`,
    };
  }
}

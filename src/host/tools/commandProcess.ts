// One command as a child process of the extension host: the user's shell with `-c`, stdin closed (a read gets
// end-of-file), its own process group so Stop, the timeout and closing the window end everything it started
// (SIGTERM, then SIGKILL after 2 s). When the shell exits, whatever it left running in its group is ended too, so the
// output always comes back. No vscode import: unit tests run it as it is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CappedOutput, type CommandEnd } from '../../core/tools/commands/commandOutput';

export const KILL_GRACE_MS = 2000;

export interface ProcessRequest {
  /** The shell's executable (vscode.env.shell, or /bin/sh, or cmd.exe). */
  shell: string;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutSeconds: number;
  signal: AbortSignal;
  /** Every chunk as it arrives (stdout and stderr interleaved). */
  onOutput?: (chunk: Buffer) => void;
}

export interface ProcessResult extends CommandEnd {
  output: CappedOutput;
  pid?: number;
}

/** How each shell takes a command line. */
export function shellArgs(shell: string, command: string): { args: string[]; verbatim: boolean } {
  const base = shell.replace(/\\/g, '/').split('/').pop()!.toLowerCase().replace(/\.exe$/, '');
  if (base === 'cmd') return { args: ['/d', '/s', '/c', `"${command}"`], verbatim: true };
  if (base === 'powershell' || base === 'pwsh') return { args: ['-NoProfile', '-NonInteractive', '-Command', command], verbatim: false };
  return { args: ['-c', command], verbatim: false };
}

const KEY_LIKE = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|_PAT$|^PAT_)/i;

/**
 * The command's environment: the host's, minus anything that looks like a key or token (and any value equal to the
 * API key), minus ELECTRON_RUN_AS_NODE (it would turn Electron apps the command starts into plain Node), plus hints
 * that nothing can prompt (stdin is closed; a pager or a credential prompt would only wait).
 */
export function commandEnvironment(base: NodeJS.ProcessEnv, secrets: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || KEY_LIKE.test(name) || name === 'ELECTRON_RUN_AS_NODE' || name.startsWith('VSCODE_IPC')) continue;
    if (secrets.some((secret) => secret.length >= 8 && value.includes(secret))) continue;
    env[name] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_PAGER = 'cat';
  env.PAGER = 'cat';
  return env;
}

/** Ends a process and its group: SIGTERM now, SIGKILL after the grace (or at once with `now`). */
export function killGroup(child: ChildProcess, now = false): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true });
    return;
  }
  const send = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  if (now) {
    send('SIGKILL');
    return;
  }
  send('SIGTERM');
  setTimeout(() => send('SIGKILL'), KILL_GRACE_MS).unref();
}

/** Runs one command to its end; never throws (a spawn failure is a result with exit code 127 and the error as output). */
export function runProcess(request: ProcessRequest, track?: (child: ChildProcess) => () => void): Promise<ProcessResult> {
  const started = Date.now();
  const output = new CappedOutput();
  return new Promise((resolve) => {
    const { args, verbatim } = shellArgs(request.shell, request.command);
    let child: ChildProcess;
    try {
      child = spawn(request.shell, args, {
        cwd: request.cwd,
        env: request.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
        windowsVerbatimArguments: verbatim,
      });
    } catch (error) {
      output.push(Buffer.from(`Could not start ${request.shell}: ${error instanceof Error ? error.message : String(error)}\n`));
      resolve({ exitCode: 127, signal: null, durationMs: Date.now() - started, output });
      return;
    }
    const untrack = track?.(child) ?? (() => undefined);
    let timedOut = false;
    let stopped = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const onData = (chunk: Buffer): void => {
      output.push(chunk);
      request.onOutput?.(chunk);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, Math.max(1, request.timeoutSeconds) * 1000);
    const onAbort = (): void => {
      stopped = true;
      killGroup(child);
    };
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });

    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      request.signal.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      untrack();
      if (spawnError && !exit) output.push(Buffer.from(`Could not start ${request.shell}: ${spawnError.message}\n`));
      resolve({
        exitCode: spawnError && !exit ? 127 : (exit?.code ?? null),
        signal: exit?.signal ?? null,
        ...(timedOut ? { timedOutAfterSeconds: request.timeoutSeconds } : {}),
        ...(stopped && !timedOut ? { stoppedByUser: true } : {}),
        durationMs: Date.now() - started,
        output,
        ...(child.pid !== undefined ? { pid: child.pid } : {}),
      });
    };
    child.on('error', (error) => {
      spawnError = error;
      settle();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the shell left running in its group would hold the pipes open: it is ended, and the output read to
      // the end (or for at most the grace, in case something left the group).
      killGroup(child);
      drainTimer = setTimeout(settle, KILL_GRACE_MS + 500);
    });
    child.on('close', settle);
  });
}

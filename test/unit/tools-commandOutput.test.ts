// run_command's result (the cap: first and last 8 KB with the bytes left out; how it ended) and the process runner on
// real processes: exit codes, stderr, stdin at end-of-file, the timeout, Stop, and nothing left running after either.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CappedOutput, commandResultText, endText, OUTPUT_CAP_BYTES, stripAnsi } from '../../src/core/tools/commands/commandOutput';
import { commandEnvironment, runProcess } from '../../src/host/tools/commandProcess';

test('output under the cap is kept whole', () => {
  const out = new CappedOutput();
  out.push(Buffer.from('hello\n'));
  out.push(Buffer.from('world\n'));
  assert.equal(out.text(), 'hello\nworld\n');
  assert.equal(out.omitted, 0);
});

test('output over the cap keeps the first and last 8 KB and says how many bytes were left out', () => {
  const out = new CappedOutput();
  const total = 100_000;
  // Many small chunks of a numbered stream, so the kept ends can be checked exactly.
  const stream = Buffer.from(Array.from({ length: total }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
  for (let i = 0; i < total; i += 777) out.push(stream.subarray(i, Math.min(total, i + 777)));
  assert.equal(out.total, total);
  assert.equal(out.omitted, total - 2 * OUTPUT_CAP_BYTES);
  const text = out.text();
  assert.ok(text.startsWith(stream.subarray(0, OUTPUT_CAP_BYTES).toString()));
  assert.ok(text.endsWith(stream.subarray(total - OUTPUT_CAP_BYTES).toString()));
  assert.ok(text.includes(`[… ${total - 2 * OUTPUT_CAP_BYTES} bytes left out …]`));
  // One huge chunk too.
  const one = new CappedOutput();
  one.push(stream);
  assert.equal(one.text(), text);
});

test('just over the cap: nothing is shown twice', () => {
  const out = new CappedOutput(10);
  out.push(Buffer.from('0123456789abcde'));
  assert.equal(out.text(), '0123456789abcde');
  out.push(Buffer.from('fghijklmnop'));
  assert.equal(out.omitted, 6);
  assert.equal(out.text(), '0123456789\n[… 6 bytes left out …]\nghijklmnop');
});

test('the result says how the command ended', () => {
  assert.equal(endText({ exitCode: 0, signal: null, durationMs: 5 }), 'exit code 0');
  assert.equal(endText({ exitCode: null, signal: 'SIGKILL', durationMs: 5 }), 'killed by signal SIGKILL');
  assert.equal(endText({ exitCode: null, signal: 'SIGTERM', timedOutAfterSeconds: 3, durationMs: 5 }), 'timed out after 3 s');
  assert.equal(endText({ exitCode: null, signal: 'SIGTERM', stoppedByUser: true, durationMs: 5 }), 'stopped by the user');
  const out = new CappedOutput();
  out.push(Buffer.from('\u001b[31mred\u001b[0m\n'));
  const text = commandResultText('npm test', 'sub', { exitCode: 1, signal: null, durationMs: 1234 }, out);
  assert.match(text, /Result: Exit code 1 after 1\.2 s\./);
  assert.match(text, /\nred\n/);
  assert.equal(stripAnsi('a\u001b[2Kb\rc'), 'ab\nc');
});

test('the environment has no key-like variables and no copy of the API key', () => {
  const env = commandEnvironment({ PATH: '/bin', FASTROUTER_API_KEY: 'sk-123456789', GITHUB_TOKEN: 'x', MY_SECRET: 'y', OTHER: 'has sk-123456789 inside', ELECTRON_RUN_AS_NODE: '1', HOME: '/h' }, ['sk-123456789']);
  assert.deepEqual(Object.keys(env).sort(), ['GIT_PAGER', 'GIT_TERMINAL_PROMPT', 'HOME', 'PAGER', 'PATH']);
});

const run = (command: string, options: { timeoutSeconds?: number; signal?: AbortSignal; onOutput?: (chunk: Buffer) => void } = {}) =>
  runProcess({ shell: '/bin/sh', command, cwd: process.cwd(), env: commandEnvironment(process.env), timeoutSeconds: options.timeoutSeconds ?? 30, signal: options.signal ?? new AbortController().signal, onOutput: options.onOutput });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: number[]): Promise<boolean> {
  // Killed processes are reaped by init; wait for that (bounded by the test's own timeout).
  while (pids.some(alive)) await new Promise((r) => setTimeout(r, 20));
  return true;
}

test('exit codes and stderr come back, interleaved with stdout', async () => {
  const result = await run('echo out; echo err >&2; exit 3');
  assert.equal(result.exitCode, 3);
  assert.equal(result.output.text(), 'out\nerr\n');
  assert.equal((await run('true')).exitCode, 0);
});

test('stdin is closed: a command that reads it gets end-of-file at once', async () => {
  const result = await run('read line; echo "read:$?"; cat; echo done');
  assert.equal(result.exitCode, 0);
  assert.equal(result.output.text(), 'read:1\ndone\n');
});

test('the timeout ends the command and the child and grandchild it started', { timeout: 20_000 }, async () => {
  const result = await run('sh -c \'sleep 60 & echo grandchild:$!; wait\' & echo child:$!; wait', { timeoutSeconds: 1 });
  assert.equal(result.timedOutAfterSeconds, 1);
  const pids = [...result.output.text().matchAll(/(?:child|grandchild):(\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2, result.output.text());
  assert.ok(await gone([...pids, result.pid!]));
});

test('Stop ends the whole process group, even a child that ignores SIGTERM (SIGKILL after 2 s)', { timeout: 20_000 }, async () => {
  const stop = new AbortController();
  let seen = '';
  const done = run('sh -c \'trap "" TERM; sleep 60 & echo grandchild:$!; wait\' & echo child:$!; wait', {
    signal: stop.signal,
    onOutput: (chunk) => {
      seen += chunk.toString();
      if (/grandchild:\d+/.test(seen)) stop.abort();
    },
  });
  const result = await done;
  assert.equal(result.stoppedByUser, true);
  const pids = [...result.output.text().matchAll(/(?:child|grandchild):(\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2);
  assert.ok(await gone(pids));
});

test('a command that exits while something it started still runs comes back, and that is ended too', { timeout: 20_000 }, async () => {
  const result = await run('sleep 60 & echo bg:$!; echo done');
  assert.equal(result.exitCode, 0);
  const pid = Number(/bg:(\d+)/.exec(result.output.text())![1]);
  assert.ok(await gone([pid]));
  assert.ok(result.durationMs < 10_000);
});

test('a shell that cannot start is a result, not a throw', async () => {
  const result = await runProcess({ shell: '/no/such/shell', command: 'x', cwd: process.cwd(), env: {}, timeoutSeconds: 5, signal: new AbortController().signal });
  assert.equal(result.exitCode, 127);
  assert.match(result.output.text(), /Could not start/);
});

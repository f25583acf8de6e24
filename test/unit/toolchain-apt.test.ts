// apt-get on a fresh machine often meets another apt/dpkg holding the lock (unattended upgrades, a parallel
// install): the tools step waits for the lock (saying so) and retries a code-100 failure instead of failing `npm start`.
import assert from 'node:assert/strict';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { aptGet } from '../../scripts/e2eToolchain';

const dir = mkdtempSync(join(tmpdir(), 'fastrouter-apt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in apt-get on PATH: records its arguments, reports a held lock, fails with 100 `failures` times. */
function fakeAptGet(failures: number): NodeJS.ProcessEnv {
  const bin = join(dir, `bin-${failures}`);
  rmSync(bin, { recursive: true, force: true });
  writeFileSync(join(dir, `count-${failures}`), '0');
  mkdirSync(bin);
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh
echo "$@" >> "${dir}/args-${failures}"
n=$(cat "${dir}/count-${failures}"); echo $((n + 1)) > "${dir}/count-${failures}"
echo "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2
if [ "$n" -lt ${failures} ]; then echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100; fi
echo "Setting up hello (2.10-3) ..."
`);
  chmodSync(join(bin, 'apt-get'), 0o755);
  return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
}

test('a held dpkg lock is waited for with a message, and a code-100 failure is retried', async () => {
  const said: string[] = [];
  const log = createWriteStream(join(dir, 'apt.log'));
  await aptGet(['install', '-y', 'hello'], { cwd: dir, env: fakeAptGet(2), log }, (line) => said.push(line), 10);
  await new Promise((r) => log.end(r));
  const calls = readFileSync(join(dir, 'args-2'), 'utf8').trim().split('\n');
  assert.equal(calls.length, 3, 'two failures, then success');
  for (const call of calls) assert.match(call, /^-o DPkg::Lock::Timeout=600 install -y hello$/, 'apt-get itself waits for the lock');
  assert.equal(said.filter((l) => /holds the package lock; waiting/.test(l)).length, 1, 'the wait is announced once');
  assert.equal(said.filter((l) => /failed \(code 100, attempt \d of 3\); trying again/.test(l)).length, 2);
  assert.match(readFileSync(join(dir, 'apt.log'), 'utf8'), /Setting up hello/, 'output goes to the log');
});

test('it gives up after three attempts with the log named', async () => {
  const log = createWriteStream(join(dir, 'apt2.log'));
  await assert.rejects(
    aptGet(['update'], { cwd: dir, env: fakeAptGet(5), log }, () => {}, 10),
    /apt-get -o DPkg::Lock::Timeout=600 update failed \(code 100, signal null\); see .*apt2\.log/,
  );
  await new Promise((r) => log.end(r));
  assert.equal(readFileSync(join(dir, 'args-5'), 'utf8').trim().split('\n').length, 3);
});

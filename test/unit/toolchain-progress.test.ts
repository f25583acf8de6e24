// `npm start`'s first run builds code-server's native modules for minutes; its progress lines say how long and how
// much output so far, and never quote that output: "foo.cc:12: warning: unused …" out of context reads as a failure.
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { heartbeatLine, run } from '../../scripts/e2eToolchain';

const dir = mkdtempSync(join(tmpdir(), 'fastrouter-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a slow step\'s heartbeat counts the output lines and quotes none of them; the log keeps them all', async () => {
  const logPath = join(dir, 'install.log');
  const log = createWriteStream(logPath);
  const said: string[] = [];
  // A compiler-like child: error-looking lines, then it keeps working until a heartbeat has counted both.
  const script = `
    console.log("../src/binding.cc:41:7: warning: unused variable 'ret' [-Wunused-variable]");
    console.error("gyp ERR! not ok (only a fragment)");
    const fs = require('fs');
    const wait = () => (fs.existsSync(process.argv[1]) ? process.exit(0) : setTimeout(wait, 20));
    wait();
    setTimeout(() => process.exit(0), 10000); // never hangs the suite, whatever the heartbeat says`;
  const done = join(dir, 'done');
  await run(process.execPath, ['-e', script, done], {
    cwd: dir,
    env: process.env,
    log,
    heartbeat: {
      what: 'building native modules',
      everyMs: 50,
      say: (line) => {
        said.push(line);
        if (line.includes('2 lines of output')) writeFileSync(done, '');
      },
    },
  });
  await new Promise((resolve) => log.end(resolve));
  assert.match(said[said.length - 1]!, /^\[tools\] still building native modules… \(\d+\.\d min so far, 2 lines of output\)$/);
  for (const line of said) {
    assert.doesNotMatch(line, /warning|ERR|binding\.cc/i, 'no output fragment in a progress line');
  }
  assert.match(readFileSync(logPath, 'utf8'), /warning: unused variable[\s\S]*gyp ERR!/, 'the log has everything');
});

test('heartbeatLine: minutes and a grouped line count', () => {
  assert.equal(heartbeatLine('downloading', 150_000, 12_345), '[tools] still downloading… (2.5 min so far, 12,345 lines of output)');
});

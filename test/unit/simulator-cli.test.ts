// The standalone simulator (`npm run simulator`) as a real child process: prints its URL, accepts any key, stops on signals.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const CLI = join(__dirname, '..', 'support', 'simulator-cli.ts');

function startCli(): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--delay', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // Resolve once the whole banner is out (it may arrive in several chunks).
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.once('exit', (code) => reject(new Error(`simulator exited early (${code}): ${output}`)));
  });
  return { child, url, output: () => output };
}

describe('simulator CLI', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints the URL and base-URL setting, answers with any key, and stops cleanly on ${signal}`, async () => {
      const { child, url, output } = startCli();
      try {
        const base = await url;
        assert.match(output(), new RegExp(`"fastrouter.baseUrl": "${base.replace(/\./g, '\\.')}"`));
        const res = await fetch(`${base}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: 'Bearer any-key-at-all', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
        });
        assert.equal(res.status, 200);
        assert.match(((await res.json()) as { content: Array<{ text: string }> }).content[0].text, /local simulator/i);
        assert.doesNotMatch(output(), /any-key-at-all/, 'the key is never printed');
        const exited = once(child, 'exit');
        child.kill(signal);
        const [code] = await exited;
        assert.equal(code, 0);
        assert.match(output(), new RegExp(`${signal}: stopping`));
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }

  it('rejects a bad --port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /--port must be an integer/);
  });
});

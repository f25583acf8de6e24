// `npm start`: package the extension, start the local simulator (or use the real endpoint when FASTROUTER_API_KEY is
// set), start code-server with the .vsix installed and fastrouter.baseUrl set, print the URL. Ctrl+C stops everything.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../test/e2e/harness';
import { startSimulator, type Simulator } from '../test/support/simulator';

const REAL_ENDPOINT = 'https://api.fastrouter.ai';

/**
 * `npm run package`: vsce runs `vscode:prepublish` (the one production bundle) and writes the .vsix. Its output (npm's
 * banners, vsce's file tree) is kept and printed only when it fails; on success one line says what was made.
 */
function packageExtension(vsix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        process.stderr.write(Buffer.concat(output));
        reject(new Error(`npm run package exited ${code}`));
        return;
      }
      const size = fs.statSync(vsix).size;
      console.log(`Packaged ${path.relative(REPO_ROOT, vsix)} (${Math.round(size / 1024)} KB) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      'sim-port': { type: 'string', default: '8787' },
      folder: { type: 'string', default: REPO_ROOT },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm start -- [--port 8080] [--sim-port 8787] [--folder PATH]\n' +
        '  Without FASTROUTER_API_KEY: answers come from the local simulator (any key works).\n' +
        `  With FASTROUTER_API_KEY set: requests go to ${REAL_ENDPOINT}.`,
    );
    return;
  }
  const useReal = Boolean(process.env.FASTROUTER_API_KEY);

  const vsix = path.join(REPO_ROOT, 'dist', 'fastrouter-chat.vsix');
  console.log('Bundling and packaging the extension (npm run package)…');
  await packageExtension(vsix);

  let sim: Simulator | undefined;
  let server: CodeServer | undefined;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping code-server${sim ? ' and the simulator' : ''}…`);
    await server?.stop();
    await sim?.close();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT')); // 'on': tsx relays a second SIGINT after the group's own
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    if (!useReal) sim = await startSimulator({ acceptAnyKey: true, port: Number(values['sim-port']) });
    server = await startCodeServer({
      port: Number(values.port),
      folder: path.resolve(values.folder),
      installVsix: [vsix],
      settings: sim ? { 'fastrouter.baseUrl': sim.url } : {},
      log: (line) => console.log(line),
    });
  } catch (error) {
    await server?.stop();
    await sim?.close();
    throw error;
  }

  console.log('');
  console.log(`FastRouter Chat is running in code-server: open ${server.workbenchUrl()}`);
  console.log(`  A fresh profile for this run (no key, chats, cost history or settings from an earlier one): ${server.runDir}, removed at Ctrl+C.`);
  if (sim) {
    console.log(`  Endpoint: the local simulator at ${sim.url} (fastrouter.baseUrl). It accepts ANY key:`);
    console.log('  run "FastRouter: Set API Key" (F1) and type anything, e.g. test-key, or just ask and answer the key prompt.');
  } else {
    console.log(`  Endpoint: ${REAL_ENDPOINT} (FASTROUTER_API_KEY is set).`);
    console.log('  Run "FastRouter: Set API Key" (F1) and paste your key: it goes into SecretStorage, never into settings.');
    console.log('  (The key is not passed to code-server; code-server keeps SecretStorage in the browser tab\'s memory,');
    console.log('  so set it again after reloading the page.)');
  }
  console.log('  Select code, then "FastRouter: Ask About Selection" or "Explain Selection Inline"; the chat is in the activity bar.');
  console.log('  Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// Proves the harness: we run inside a real extension host, the simulator is reachable, and the extension
// activates with every contribution issue 3 §2 names.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { until } from './simulator';

const EXTENSION_ID = 'fastrouter-chat.fastrouter-chat';

/** Issue 3 §2: the commands other checks rely on. */
const COMMANDS = [
  'fastrouter.askAboutSelection',
  'fastrouter.explainInline',
  'fastrouter.openChat',
  'fastrouter.newChat',
  'fastrouter.stop',
  'fastrouter.setApiKey',
  'fastrouter.clearApiKey',
  'fastrouter.showCost',
  'fastrouter.resetCost',
  'fastrouter.selectModel',
];

suite('harness smoke', () => {
  test('runs in a real extension host with the simulator URL and test settings', async () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    // One suite index for both hosts: code-server (npm test) runs the workbench in a browser, test:desktop in Electron.
    const host = process.env.FASTROUTER_E2E_HOST ?? 'code-server';
    assert.equal(vscode.env.uiKind, host === 'desktop' ? vscode.UIKind.Desktop : vscode.UIKind.Web, `the ${host} workbench`);
    const sim = process.env.FASTROUTER_SIM_URL;
    assert.ok(sim && /^http:\/\/127\.0\.0\.1:\d+$/.test(sim), `FASTROUTER_SIM_URL is set (${sim})`);
    assert.equal(vscode.workspace.getConfiguration('fastrouter').get('baseUrl'), sim, 'settings.json points fastrouter.baseUrl at the simulator');
    const res = await fetch(`${sim}/__sim/requests`);
    assert.equal(res.status, 200, 'the simulator control surface answers from inside the extension host');
    assert.ok(Array.isArray(await res.json()));
  });

  test('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('activate() returns the ExtensionApi for tests', async () => {
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as Record<string, unknown> | undefined;
    assert.ok(api && typeof api === 'object', 'activate() returns an object');
    for (const key of ['settings', 'apiKey', 'cost', 'runner', 'chat']) assert.ok(api[key], `ExtensionApi.${key} exists`);
  });

  test('package.json contributes the commands, the chat view and the settings', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes?: { commands?: { command: string; category?: string }[]; views?: Record<string, { id: string }[]>; viewsContainers?: { activitybar?: { id: string }[] } };
    };
    const contributed = new Map((pkg.contributes?.commands ?? []).map((c) => [c.command, c]));
    assert.deepEqual(COMMANDS.filter((id) => !contributed.has(id)), [], 'every command is contributed');
    for (const id of COMMANDS) assert.equal(contributed.get(id)?.category, 'FastRouter', `${id} has category FastRouter`);
    assert.ok(pkg.contributes?.viewsContainers?.activitybar?.some((c) => c.id === 'fastrouter'), 'activity bar container fastrouter');
    assert.ok(pkg.contributes?.views?.fastrouter?.some((v) => v.id === 'fastrouter.chatView'), 'webview view fastrouter.chatView');
    const config = vscode.workspace.getConfiguration('fastrouter');
    assert.equal(config.inspect('model')?.defaultValue, 'anthropic/claude-sonnet-4-20250514');
    assert.equal(config.inspect('baseUrl')?.defaultValue, 'https://api.fastrouter.ai');
  });

  test('every command of issue 3 §2 is registered', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(COMMANDS.filter((id) => !registered.has(id)), [], 'missing commands');
  });

  test('activation writes no warning or error from the extension into the extension host log', async () => {
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { logUri: vscode.Uri };
    // The extension's log folder sits next to the extension host's own log, which is written a little later.
    const folder = path.dirname(api.logUri.fsPath);
    const readLog = () => fs.readdirSync(folder).filter((name) => /exthost\.log$/.test(name)).map((name) => fs.readFileSync(path.join(folder, name), 'utf8')).join('\n');
    const log = await until('the activation in the extension host log', () => {
      const text = readLog();
      return text.includes(`_doActivateExtension ${EXTENSION_ID}`) ? text : undefined;
    }, 60_000, 200);
    // One entry = a timestamped line and the stack lines under it; ours name the extension or run through its bundle.
    const entries = log.split(/\n(?=\d{4}-\d\d-\d\d )/);
    const ours = (entry: string) => entry.includes(path.join('dist', 'extension.js')) || entry.split('\n')[0].includes(EXTENSION_ID);
    const bad = entries.filter((entry) => ours(entry) && /\[(warning|error)\]/.test(entry.split('\n')[0]));
    assert.deepEqual(bad, [], 'no warnings or errors from this extension');
  });
});

// In-host tests of issue 16's notices in the real extension host: a cost record that cannot be written says
// "Cost not recorded: …" in the chat, and a chat that cannot be saved says the failed-save notice there. The storage
// is made unwritable for whoever runs the tests (root included): the ledger file replaced by a folder (EISDIR at every
// append), the conversations folder by a file (ENOTDIR at every save). What the chat posts is read through a spy on
// the real view provider (each message still goes to the page).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { HostToWebview } from '../../../src/common/protocol';
import type { ExtensionApi } from '../../../src/extension';
import { EXTENSION_ID, enqueue, resetSim, until } from './simulator';

suite('storage faults said in the chat (issue 16)', () => {
  let api: ExtensionApi;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as ExtensionApi;
    await api.apiKey.set('test-key');
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await vscode.commands.executeCommand('fastrouter.newChat');
    await resetSim();
  });

  /** Records every message the chat host posts, while `run` runs. */
  async function posting(run: (notices: () => string[]) => Promise<void>): Promise<void> {
    const provider = api.chat.provider;
    const original = provider.post;
    const posted: HostToWebview[] = [];
    provider.post = (message: HostToWebview) => {
      posted.push(message);
      return original.call(provider, message);
    };
    try {
      await run(() => posted.flatMap((m) => (m.type === 'notice' ? [m.message] : [])));
    } finally {
      provider.post = original;
    }
  }

  test('a cost record that cannot be written says "Cost not recorded: …" in the chat', async () => {
    const ledger = api.cost.ledger.filePath;
    const aside = `${ledger}.e2e-aside`;
    const had = fs.existsSync(ledger);
    if (had) fs.renameSync(ledger, aside);
    fs.mkdirSync(ledger);
    try {
      await posting(async (notices) => {
        await enqueue({ text: 'An answer whose cost cannot be written.', cost: 0.003 });
        await api.chat.ask({ text: 'Is this one recorded?' });
        await until('the chat says the cost was not recorded', () => notices().some((n) => /^Cost not recorded: .+\. It is counted in this window/.test(n)), 20_000);
      });
      assert.ok(api.cost.ledger.unwrittenCount > 0, 'kept in memory, not dropped');
    } finally {
      fs.rmSync(ledger, { recursive: true, force: true });
      if (had) fs.renameSync(aside, ledger);
    }
  });

  test('a chat that cannot be saved says the failed-save notice in the chat', async () => {
    const dir = api.chat.storageDir;
    const aside = `${dir}.e2e-aside`;
    const had = fs.existsSync(dir);
    if (had) fs.renameSync(dir, aside);
    fs.writeFileSync(dir, '');
    try {
      await posting(async (notices) => {
        await enqueue({ text: 'An answer that cannot be saved yet.' });
        await api.chat.ask({ text: 'Will this chat be kept?' });
        await until('the chat says it could not be saved', () => notices().some((n) => /^This chat could not be saved: .+\. It stays in this window and is saved (as soon as it can be|when there is room)\.$/.test(n)), 20_000);
      });
    } finally {
      fs.rmSync(dir, { force: true });
      if (had) fs.renameSync(aside, dir);
      else fs.mkdirSync(dir, { recursive: true });
    }
  });
});

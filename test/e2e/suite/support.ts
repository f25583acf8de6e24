// What every in-host suite needs besides the simulator: the activated extension, a setting written and waited for,
// the last answer of the chat, Select Model's pick waited for, and deadlines that fail naming what was awaited.
// Each helper waits for what it checks (an event, or a condition polled with a deadline), never for a fixed time:
// CI under load delivers a configuration change or a pick seconds late, and a read right after `update()` may see
// the old value. Suites import from here (it re-exports ./simulator) so a new suite starts with one import line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import type { AssistantTurn, Turn } from '../../../src/common/chatTypes';
import type { ExtensionApi } from '../../../src/extension';
import { EXTENSION_ID } from './simulator';

export * from './simulator';

/** How long a wait for VS Code (a configuration change, a pick) may take before the test fails naming it. */
export const EVENT_DEADLINE_MS = 30_000;

/** Activates the extension and returns its test API; with `apiKey`, stores that key first. */
export async function activate(options: { apiKey?: string } = {}): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `the extension ${EXTENSION_ID} is installed`);
  const api = (await extension.activate()) as ExtensionApi;
  assert.ok(api?.settings, 'activate() returned the test API');
  if (options.apiKey !== undefined) await api.apiKey.set(options.apiKey);
  return api;
}

/** Settles as `promise` does, or rejects after `ms` naming `what` (so a lost event fails clearly, not at mocha's timeout). */
export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Writes `section.key` (user settings by default; `undefined` removes it) and returns once VS Code has told this
 * extension host about it: the `onDidChangeConfiguration` event affecting that key has come AND the value is visible
 * at that level. The extension's own settings service listens to the same event and registered first, so
 * `api.settings.current` has followed by then too. Writing the value already there changes nothing (VS Code sends
 * no event), so that returns at once.
 */
export async function setSetting(
  key: string,
  value: unknown,
  options: { section?: string; target?: vscode.ConfigurationTarget } = {},
): Promise<void> {
  const section = options.section ?? 'fastrouter';
  const target = options.target ?? vscode.ConfigurationTarget.Global;
  const config = () => vscode.workspace.getConfiguration(section);
  const atLevel = () => {
    const seen = config().inspect(key);
    return target === vscode.ConfigurationTarget.Global ? seen?.globalValue : target === vscode.ConfigurationTarget.Workspace ? seen?.workspaceValue : seen?.workspaceFolderValue;
  };
  const visible = () => isDeepStrictEqual(atLevel(), value);
  if (visible()) return;
  let subscription: vscode.Disposable | undefined;
  const changed = new Promise<void>((resolve) => {
    subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${section}.${key}`) && visible()) resolve();
    });
  });
  try {
    await config().update(key, value, target);
    await within(changed, EVENT_DEADLINE_MS, `the change of ${section}.${key} to ${JSON.stringify(value)} (it reads ${JSON.stringify(atLevel())})`);
  } finally {
    subscription?.dispose();
  }
}

/** The last turn of the chat (or of `turns`), asserted to be an answer. */
export function lastAnswer(from: ExtensionApi | readonly Turn[]): AssistantTurn {
  const turns = Array.isArray(from) ? (from as readonly Turn[]) : (from as ExtensionApi).chat.conversation.turns;
  const turn = turns.at(-1);
  assert.ok(turn?.role === 'assistant', 'the last turn is an answer');
  return turn;
}

/**
 * Runs `open` (a command that shows Select Model's pick) and gives its pending `result` once the pick is up, so the
 * workbench commands that follow (select next, accept, close) reach the pick and not the empty workbench: the show
 * and those commands travel to the workbench in this order.
 */
export async function openModelPick<T>(api: ExtensionApi, open: () => Thenable<T>): Promise<{ result: Promise<T> }> {
  let subscription: vscode.Disposable | undefined;
  const shown = new Promise<void>((resolve) => (subscription = api.models.onDidShowPick(() => resolve())));
  try {
    const pending = Promise.resolve(open());
    await within(Promise.race([shown, pending.then(() => assert.fail('the command ended without showing its pick'))]), EVENT_DEADLINE_MS, "Select Model's pick to show");
    return { result: pending };
  } finally {
    subscription?.dispose();
  }
}

/** Every file below `dir`, `depth` folders deep (the logs, the extension's storage). */
export function filesUnder(dir: string, depth = 6): string[] {
  if (depth < 0 || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, depth - 1) : entry.isFile() ? [full] : [];
  });
}

/** The test workspace's folder (the runner's FASTROUTER_E2E_WORKSPACE, or the first workspace folder). */
export function workspaceRoot(): string {
  const root = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, 'a workspace folder');
  return root;
}

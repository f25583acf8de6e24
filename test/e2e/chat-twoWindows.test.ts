// UI e2e (issue 7 §4): two VS Code windows (two tabs on one code-server, so two extension hosts sharing the global
// storage) asking in the same chat. Window A asks q1, window B opens the chat and asks q2, A asks q3: both windows
// show q1, q2, q3, and so does A after a reload. Real code-server, real Chromium, local simulator.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { REPO_ROOT, saveScreenshot } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { answerText, openChat, sendInChat, setApiKey, waitFor, waitForWorkbench } from './workbench';

let session: WorkbenchSession | undefined;
let sim: Simulator;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'a.txt': 'hello\n' } });
  ({ sim } = session);
});

after(async () => {
  await session?.close();
});

async function ask(frame: Frame, text: string, answers: number): Promise<void> {
  await sendInChat(frame, text);
  await waitFor(`answer ${answers} to "${text}"`, async () => (await frame.locator('.turn[data-role="assistant"][data-status="done"]').count()) === answers, 30_000);
}

async function questions(frame: Frame): Promise<string[]> {
  const turns = frame.locator('.turn[data-role="user"]');
  const out: string[] = [];
  for (let i = 0; i < (await turns.count()); i++) out.push(await answerText(turns.nth(i)));
  return out;
}

test('two windows asking in one chat: each shows q1, q2, q3, and they survive a reload', { timeout: 300_000 }, async (t) => {
  const a = session!.page;
  let b: Page | undefined;
  try {
    // code-server keeps SecretStorage per tab: each window gets the key.
    await setApiKey(a, 'test-key');
    let frameA = await openChat(a);
    sim.enqueue({ text: ['Answer ', 'one.'] });
    await ask(frameA, 'q1 from A', 1);

    // A second window on the same server: the most recent chat is the one A asked in.
    b = await a.context().newPage();
    await b.goto(a.url(), { waitUntil: 'commit', timeout: 90_000 });
    await waitForWorkbench(b);
    await setApiKey(b, 'test-key');
    const frameB = await openChat(b);
    await waitFor('B to show A\'s question', async () => (await questions(frameB)).some((q) => q.includes('q1 from A')), 30_000);
    sim.enqueue({ text: ['Answer ', 'two.'] });
    await ask(frameB, 'q2 from B', 2);

    await a.bringToFront();
    sim.enqueue({ text: ['Answer ', 'three.'] });
    await ask(frameA, 'q3 from A', 3);
    const inA = await questions(frameA);
    assert.equal(inA.length, 3, inA.join(' | '));
    assert.match(inA[0], /q1 from A/);
    assert.match(inA[1], /q2 from B/);
    assert.match(inA[2], /q3 from A/);
    // A's q3 went out with B's question as context.
    const sent = JSON.stringify((sim.requests.at(-1)!.body as { messages: unknown[] }).messages);
    assert.match(sent, /q2 from B/);

    // B sees A's new turn without doing anything (its folder watcher re-reads).
    await waitFor('B to show q3', async () => (await questions(frameB)).length === 3, 30_000);
    assert.match((await questions(frameB))[2], /q3 from A/);

    await a.reload();
    await waitForWorkbench(a);
    frameA = await openChat(a);
    await waitFor('the three questions after the reload', async () => (await questions(frameA)).length === 3, 60_000);
    assert.deepEqual((await questions(frameA)).map((q) => q.match(/q\d from [AB]/)?.[0]), ['q1 from A', 'q2 from B', 'q3 from A']);
  } catch (error) {
    for (const [p, name] of [[a, 'two-windows-a'], [b, 'two-windows-b']] as const) {
      const shot = await saveScreenshot(p, name);
      if (shot) t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, shot)}`);
    }
    throw error;
  } finally {
    await b?.close().catch(() => {});
  }
});

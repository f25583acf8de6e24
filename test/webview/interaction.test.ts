// The webview's controls post the right WebviewToHost messages, and host messages show up as the user expects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, emptySnapshot, type ChatPage } from './harness';
import { assistantTurn, delta, meta, turnAdded, userTurn } from './fixtures';
import { formatCredits } from '../../src/common/credits';
import { ERROR_ACTION_LABELS } from '../../src/common/errorActionLabels';

// A 1×1 PNG and a 1×1 GIF, as real files would arrive from the clipboard or a drop.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const GIF_BASE64 = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
// A 37×23 WebP that Chromium encoded (test/fixtures/images).
const WEBP_BASE64 = readFileSync(join(__dirname, '..', 'fixtures', 'images', 'canvas-37x23.webp')).toString('base64');

/** Dispatches a paste or drop of files built in the page from base64 (or a size to fill with zeros). */
async function dropFiles(chat: ChatPage, how: 'paste' | 'drop', files: Array<{ name: string; type: string; base64?: string; size?: number }>): Promise<void> {
  await chat.page.evaluate(`(() => {
    const files = ${JSON.stringify(files)};
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = f.base64 ? Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)) : new Uint8Array(f.size);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    if (${JSON.stringify(how)} === 'paste') {
      document.querySelector('#composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    } else {
      const target = document.querySelector('#composer');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  })()`);
}

describe('chat webview: interaction', () => {
  let harness: Harness;
  before(async () => { harness = await Harness.start(); });
  after(async () => { await harness?.close(); });

  test('code block buttons post copy/insert/replace/newFile with the exact source and language', async () => {
    const chat = await harness.open();
    const code = 'if (a < b && c > "d") {\n\treturn `x`;  \n}\n\n// trailing blank line above';
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', `Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nand plain:\n\n\`\`\`\nplain text\n\`\`\`\n`));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    const first = chat.page.locator('.turn[data-turn-id="t1"] .code-block').first();
    assert.equal(await first.locator('.code-lang').textContent(), 'ts');
    await chat.clearPosted();
    for (const action of ['copy', 'insert', 'replace', 'newFile']) await first.locator(`button[data-action="${action}"]`).click();
    assert.deepEqual(await chat.posted(), [
      { type: 'copyCode', code },
      { type: 'insertCode', code },
      { type: 'replaceSelection', code },
      { type: 'newFile', code, language: 'ts' },
    ]);
    const second = chat.page.locator('.turn[data-turn-id="t1"] .code-block').nth(1);
    assert.equal(await second.locator('.code-lang').textContent(), 'text');
    await chat.clearPosted();
    await second.locator('button[data-action="newFile"]').click();
    assert.deepEqual(await chat.posted(), [{ type: 'newFile', code: 'plain text', language: '' }]);
    // The buttons are labelled for screen readers and reachable by keyboard.
    assert.equal(await first.locator('button[data-action="insert"]').getAttribute('aria-label'), 'Insert code at cursor');
    await first.locator('button[data-action="copy"]').focus();
    await chat.clearPosted();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [{ type: 'copyCode', code }]);
    assert.equal(await first.locator('button[data-action="copy"]').textContent(), 'Copied');
    assert.equal(await chat.page.locator('#announcer').textContent(), 'Code copied.');
    // A second click while "Copied" shows must not make "Copied" the button's label for good.
    await chat.page.keyboard.press('Enter');
    await chat.page.waitForTimeout(1700);
    assert.equal(await first.locator('button[data-action="copy"]').textContent(), 'Copy');
    await chat.close();
  });

  test('links post openLink on click and never navigate the webview', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'See [docs](https://example.com/a?b=1#c), <mailto:me@example.com> and [bad](javascript:alert(1)).'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    await chat.clearPosted();
    const answer = chat.page.locator('.turn[data-turn-id="t1"] .answer');
    await answer.getByText('docs').click();
    await answer.getByText('me@example.com').click();
    await answer.getByText('bad').click();
    assert.deepEqual(await chat.posted(), [
      { type: 'openLink', href: 'https://example.com/a?b=1#c' },
      { type: 'openLink', href: 'mailto:me@example.com' },
    ]);
    assert.equal(await answer.getByText('bad').getAttribute('href'), null);
    assert.equal(new URL(chat.page.url()).pathname, '/');
    await chat.close();
  });

  test('thinking streams into an open section that collapses when the answer starts', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'Let me think about ', 0, 'thinking'));
    await chat.send(delta('t1', 'the <b>question</b>.', 0, 'thinking'));
    await chat.frames();
    const thinking = chat.page.locator('.turn[data-turn-id="t1"] details.thinking');
    assert.equal(await thinking.getAttribute('open'), '');
    assert.equal(await thinking.locator('.thinking-text').textContent(), 'Let me think about the <b>question</b>.');
    assert.equal(await thinking.locator('b').count(), 0, 'thinking is plain text');
    await chat.send(delta('t1', 'The answer is 42.', 1));
    await chat.frames();
    assert.equal(await thinking.getAttribute('open'), null, 'collapsed once the answer starts');
    assert.equal((await chat.page.locator('.turn[data-turn-id="t1"] .answer').textContent())?.trim(), 'The answer is 42.');
    // If the user reopens it, more text does not fold it again.
    await thinking.locator('summary').click();
    await chat.send(delta('t1', ' More.', 1));
    await chat.frames();
    assert.equal(await thinking.getAttribute('open'), '');
    await chat.close();
  });

  test('a 402 offers "Add Credits", the same words as Explain Inline (one label table in common/)', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t402'));
    await chat.send({ type: 'turnEnded', turnId: 't402', status: 'error', error: { code: 'billing', message: 'No credits left.', actions: ['openBilling', 'retry'] } });
    const labels = await chat.page.locator('.turn[data-turn-id="t402"] .turn-error button').allTextContents();
    assert.deepEqual(labels, ['Add Credits', 'Retry']);
    assert.deepEqual(labels, [ERROR_ACTION_LABELS.openBilling, ERROR_ACTION_LABELS.retry]);
    await chat.close();
  });

  test('an error keeps the partial answer and offers its actions', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'Partial answer that was cut'));
    await chat.send({
      type: 'turnEnded', turnId: 't1', status: 'error',
      error: { code: 'auth', message: 'The API key was rejected (401).', actions: ['retry', 'setApiKey', 'showLog'] },
    });
    const turn = chat.page.locator('.turn[data-turn-id="t1"]');
    assert.equal(await turn.getAttribute('data-status'), 'error');
    assert.equal((await turn.locator('.answer').textContent())?.trim(), 'Partial answer that was cut');
    assert.equal(await turn.locator('.turn-error .error-message').textContent(), 'The API key was rejected (401).');
    assert.equal(await turn.locator('.turn-error').getAttribute('role'), 'alert');
    await chat.clearPosted();
    await turn.locator('.turn-error button[data-action="retry"]').click();
    await turn.locator('.turn-error button[data-action="setApiKey"]').click();
    await turn.locator('.turn-error button[data-action="showLog"]').click();
    assert.deepEqual(await chat.posted(), [
      { type: 'retry', turnId: 't1' },
      { type: 'errorAction', turnId: 't1', action: 'setApiKey' },
      { type: 'errorAction', turnId: 't1', action: 'showLog' },
    ]);
    assert.match((await chat.page.locator('#announcer').textContent()) ?? '', /The API key was rejected/);

    // A retry resets the answer and streams again.
    await chat.send({ type: 'turnRestarted', turnId: 't1', blocks: [] });
    assert.equal(await turn.getAttribute('data-status'), 'streaming');
    assert.equal(await turn.locator('.turn-error').count(), 0);
    assert.equal((await turn.locator('.answer').textContent())?.trim(), '');
    await chat.send(delta('t1', 'Fresh answer.'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    assert.equal((await turn.locator('.answer').textContent())?.trim(), 'Fresh answer.');
    await chat.close();
  });

  test('meta shows model, tokens, cost kind and time; max_tokens offers Continue', async () => {
    const chat = await harness.open();
    const cases = [
      { id: 'b', cost: { kind: 'billed' as const, credits: 0.0123 }, text: /0\.0123 credits/, stop: 'end_turn' },
      { id: 'e', cost: { kind: 'estimate' as const, credits: 0.5 }, text: /≈ 0\.50 credits \(estimate\)/, stop: 'max_tokens' },
      { id: 'u', cost: { kind: 'unknown' as const }, text: /cost unknown/, stop: 'stop_sequence' },
    ];
    for (const c of cases) {
      await chat.send(turnAdded(c.id));
      await chat.send(delta(c.id, 'Answer text'));
      await chat.send({ type: 'turnEnded', turnId: c.id, status: 'done', meta: meta({ cost: c.cost, stopReason: c.stop }) });
      const m = chat.page.locator(`.turn[data-turn-id="${c.id}"] .answer-meta`);
      const text = (await m.textContent()) ?? '';
      assert.match(text, /claude-sonnet-4-5/);
      assert.match(text, /1,200 in · 345 out/);
      assert.match(text, c.text);
      assert.match(text, /4\.2 s/);
      assert.equal(await m.locator('.meta-cost').getAttribute('data-cost-kind'), c.cost.kind);
    }
    assert.equal(await chat.page.locator('.turn[data-turn-id="b"] .stop-reason').count(), 0, 'end_turn is not shown');
    assert.match((await chat.page.locator('.turn[data-turn-id="e"] .stop-reason').textContent()) ?? '', /Stopped at max tokens/);
    assert.match((await chat.page.locator('.turn[data-turn-id="u"] .stop-reason').textContent()) ?? '', /stop sequence/);
    await chat.clearPosted();
    await chat.page.locator('.turn[data-turn-id="e"] button[data-action="continue"]').click();
    assert.deepEqual(await chat.posted(), [{ type: 'continue', turnId: 'e' }]);
    await chat.close();
  });

  test('credits in the meta line are written exactly as the status bar writes them (one formatter)', async () => {
    const chat = await harness.open();
    const values = [0.002694, 0.0123, 0.5, 0.000042, 1.2346, 123.456, 0.0000001, 0.1];
    for (const [i, credits] of values.entries()) {
      await chat.send(turnAdded(`c${i}`));
      await chat.send(delta(`c${i}`, 'Answer'));
      const cost = i % 2 === 0 ? { kind: 'billed' as const, credits } : { kind: 'estimate' as const, credits };
      await chat.send({ type: 'turnEnded', turnId: `c${i}`, status: 'done', meta: meta({ cost }) });
      const shown = await chat.page.locator(`.turn[data-turn-id="c${i}"] .meta-cost`).textContent();
      // formatCredits as the host imports it for the status bar (src/host/cost/cost.ts).
      const expected = cost.kind === 'billed' ? `${formatCredits(credits)} credits` : `≈ ${formatCredits(credits)} credits (estimate)`;
      assert.equal(shown, expected, `credits ${credits}`);
    }
    assert.equal(await chat.page.locator('.turn[data-turn-id="c0"] .meta-cost').textContent(), '0.00269 credits', 'three significant digits');
    await chat.close();
  });

  test('composer: Enter sends, Shift+Enter adds a line, IME composition does not send; busy shows Stop', async () => {
    const chat = await harness.open();
    const input = chat.page.locator('textarea#composer-input');
    await input.click();
    await chat.page.keyboard.type('line one');
    await chat.page.keyboard.press('Shift+Enter');
    await chat.page.keyboard.type('line two');
    assert.equal(await input.inputValue(), 'line one\nline two');
    // An Enter that confirms an IME composition must not send.
    await chat.page.evaluate(`document.querySelector('#composer-input').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }))`);
    assert.deepEqual((await chat.posted()).filter((m) => m.type === 'send'), []);
    await chat.page.keyboard.press('Enter');
    assert.deepEqual((await chat.posted()).filter((m) => m.type === 'send'), [{ type: 'send', text: 'line one\nline two', images: [] }]);
    assert.equal(await input.inputValue(), '');

    await chat.clearPosted();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [], 'an empty message is not sent');

    await chat.send({ type: 'busy', busy: true });
    assert.equal(await chat.page.locator('button#stop').isVisible(), true);
    assert.equal(await chat.page.locator('button#send').isVisible(), false);
    await chat.page.keyboard.type('while busy');
    await chat.page.keyboard.press('Enter');
    await chat.page.locator('button#stop').click();
    assert.deepEqual(await chat.posted(), [{ type: 'stop' }], 'no send while busy; Stop posts stop');
    await chat.send({ type: 'busy', busy: false });
    assert.equal(await chat.page.locator('button#stop').isVisible(), false);
    await chat.page.locator('button#send').click();
    assert.deepEqual((await chat.posted()).slice(-1), [{ type: 'send', text: 'while busy', images: [] }]);
    await chat.close();
  });

  test('the draft is kept in webview state and restored', async () => {
    const chat = await harness.open();
    await chat.page.locator('#composer-input').fill('half-written question');
    await chat.page.waitForFunction(() => ((globalThis as unknown as { __vsState?: { draft?: string } }).__vsState?.draft) === 'half-written question');
    const state = await chat.page.evaluate(() => (globalThis as unknown as { __vsState: unknown }).__vsState);
    await chat.close();
    const again = await harness.open(emptySnapshot(), state);
    assert.equal(await again.page.locator('#composer-input').inputValue(), 'half-written question');
    await again.close();
  });

  test('conversations: list, switch, delete, new chat, export, model', async () => {
    const chat = await harness.open(emptySnapshot({
      conversationId: 'c2',
      conversations: [{ id: 'c1', title: 'First <b>chat</b>', updatedAt: 1_700_000_000_000 }, { id: 'c2', title: 'Second', updatedAt: 1_700_000_100_000 }],
    }));
    await chat.clearPosted();
    const history = chat.page.locator('button#history');
    assert.equal(await history.getAttribute('aria-expanded'), 'false');
    await history.click();
    assert.equal(await history.getAttribute('aria-expanded'), 'true');
    const items = chat.page.locator('#conversation-list .conversation');
    assert.deepEqual(await items.locator('.conversation-title').allTextContents(), ['First <b>chat</b>', 'Second']);
    assert.equal(await items.nth(1).getAttribute('aria-current'), 'true');
    await items.nth(0).locator('button[data-action="deleteChat"]').click();
    // The deleted chat keeps a row with Undo (placed by time: last here); the other one is first now.
    assert.equal(await chat.page.locator('.conversation-deleted .conversation-title').textContent(), 'First <b>chat</b>');
    await items.nth(0).locator('button[data-action="switchChat"]').click();
    await chat.page.locator('button#model').click();
    assert.deepEqual(await chat.posted(), [
      { type: 'deleteChat', conversationId: 'c1' },
      { type: 'switchChat', conversationId: 'c2' },
      { type: 'selectModel' },
    ]);
    await chat.send({ type: 'conversations', conversations: [{ id: 'c3', title: 'Third', updatedAt: 1 }], activeId: 'c3' });
    assert.deepEqual(await items.locator('.conversation-title').allTextContents(), ['First <b>chat</b>', 'Third'], 'the deleted row stays, with Undo');
    await chat.send({ type: 'snapshot', snapshot: emptySnapshot({ conversationId: 'c3', turns: [userTurn('u9', 'Old question'), assistantTurn('a9', 'Old answer', { status: 'interrupted' })] }) });
    assert.equal(await chat.page.locator('.turn[data-turn-id="a9"]').getAttribute('data-status'), 'interrupted');
    assert.match((await chat.page.locator('.turn[data-turn-id="a9"] .turn-note').textContent()) ?? '', /interrupted/);
    await chat.send({ type: 'model', model: 'claude-haiku-4-5' });
    assert.equal(await chat.page.locator('#model-label').textContent(), 'claude-haiku-4-5');
    await chat.close();
  });

  test('images: paste and drop accept png/gif, reject other types and files over 30 MB, remove works, sent with the message', async () => {
    const chat = await harness.open();
    await dropFiles(chat, 'paste', [{ name: 'shot.png', type: 'image/png', base64: PNG_BASE64 }]);
    await chat.page.waitForSelector('#attachments .attachment');
    await dropFiles(chat, 'drop', [
      { name: 'anim.gif', type: 'image/gif', base64: GIF_BASE64 },
      { name: 'notes.txt', type: 'text/plain', base64: Buffer.from('hello').toString('base64') },
      { name: 'fake.png', type: 'image/png', base64: Buffer.from('<svg onload=alert(1)>').toString('base64') },
      // "GIF8" and then not 7a/9a: no GIF version there is (the webview once took it; the host refused it).
      { name: 'odd.gif', type: 'image/gif', base64: Buffer.from('GIF8xa\x01\x00\x01\x00', 'latin1').toString('base64') },
      { name: 'huge.png', type: 'image/png', size: 30 * 1024 * 1024 + 1 },
    ]);
    await chat.page.waitForFunction(() => !((globalThis as unknown as { document: { querySelector(s: string): { hidden: boolean } } }).document.querySelector('#composer-notice').hidden));
    const notice = (await chat.page.locator('#composer-notice').textContent()) ?? '';
    assert.match(notice, /“notes\.txt” is not a supported image/);
    assert.match(notice, /“fake\.png” is not a supported image/);
    assert.match(notice, /“odd\.gif” is not a supported image/);
    assert.match(notice, /“huge\.png” is 30 MB; images over 30 MB cannot be attached \(the API takes at most 3\.75 MB per image; smaller ones are resized to fit\)/);
    assert.equal(await chat.page.locator('#composer-notice').getAttribute('role'), 'alert');
    const thumbs = chat.page.locator('#attachments .attachment img.thumbnail');
    assert.equal(await thumbs.count(), 2);
    assert.match((await thumbs.nth(0).getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    assert.equal(await thumbs.nth(0).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 1, 'the thumbnail really renders');

    // The host's file picker adds images too.
    await chat.send({ type: 'attachImages', images: [{ id: 'h1', name: 'picked.webp', mediaType: 'image/webp', data: WEBP_BASE64 }] });
    await chat.page.waitForSelector('#attachments .attachment[data-attachment-id="h1"]');
    assert.equal(await thumbs.count(), 3);
    await chat.page.locator('#attachments .attachment[data-attachment-id="h1"] button[data-action="removeAttachment"]').click();
    assert.equal(await thumbs.count(), 2);

    await chat.clearPosted();
    await chat.page.locator('button#attach-image').click();
    assert.deepEqual(await chat.posted(), [{ type: 'pickImages' }]);
    await chat.clearPosted();
    await chat.page.locator('#composer-input').fill('What is in these?');
    await chat.page.locator('button#send').click();
    const [sent] = await chat.posted();
    assert.ok(sent && sent.type === 'send');
    assert.equal(sent.text, 'What is in these?');
    assert.deepEqual(sent.images.map((i) => [i.name, i.mediaType, i.data]), [['shot.png', 'image/png', PNG_BASE64], ['anim.gif', 'image/gif', GIF_BASE64]]);
    assert.equal(await thumbs.count(), 0, 'attachments are cleared after sending');

    // The user turn shows the images as thumbnails.
    await chat.send({ type: 'turnAdded', user: userTurn('u1', 'What is in these?', { images: sent.images }), assistant: assistantTurn('a1') });
    assert.equal(await chat.page.locator('.turn[data-turn-id="u1"] .user-images img.thumbnail').count(), 2);
    assert.deepEqual(await chat.violations(), []);
    await chat.close();
  });

  test('accessibility: log region, busy streaming turn, announcement on finish, labelled icon buttons', async () => {
    const chat = await harness.open();
    assert.equal(await chat.page.locator('#messages').getAttribute('role'), 'log');
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'Streaming…'));
    await chat.frames();
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('aria-busy'), 'true');
    assert.equal(await chat.page.locator('#announcer').textContent(), '', 'deltas are not announced');
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('aria-busy'), 'false');
    assert.equal(await chat.page.locator('#announcer').textContent(), 'Answer finished. Streaming…', 'the finished answer is announced');
    // The log itself is not live: the tail re-rendered every frame and whole snapshots must not be read out.
    assert.equal(await chat.page.locator('#messages').getAttribute('aria-live'), 'off');
    await chat.send(turnAdded('t2'));
    await chat.send(delta('t2', `Use this:\n\n\`\`\`ts\nconst a = 1;\n\`\`\`\n\n${'word '.repeat(200)}`));
    await chat.send({ type: 'turnEnded', turnId: 't2', status: 'done', meta: meta() });
    const announced = (await chat.page.locator('#announcer').textContent()) ?? '';
    assert.match(announced, /^Answer finished\. Use this: const a = 1; word word/, 'code toolbars are not read out');
    assert.ok(announced.length < 340 && announced.endsWith('…'), `a long answer is cut (${announced.length} chars)`);
    for (const id of ['attach-image', 'history', 'stop', 'send']) {
      const label = await chat.page.locator(`button#${id}`).getAttribute('aria-label');
      assert.ok(label && label.length > 3, `#${id} has an aria-label`);
    }
    // Keyboard: Tab from the input reaches Add File…, then the attach button.
    await chat.page.locator('#composer-input').focus();
    await chat.page.keyboard.press('Tab');
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'add-context');
    await chat.page.keyboard.press('Tab');
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'attach-image');
    await chat.send({ type: 'focusInput' });
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'composer-input');
    await chat.close();
  });
});

describe('chat webview: layout in a narrow sidebar', () => {
  let harness: Harness;
  before(async () => { harness = await Harness.start(); });
  after(async () => { await harness?.close(); });

  test('at 290 px the header is one row of icon buttons with names, and a long model name is cut with an ellipsis', async () => {
    const chat = await harness.open(emptySnapshot({ model: 'anthropic/claude-sonnet-4-5-20250929-extended-context-preview' }), undefined, { width: 290, height: 500 });
    const layout = await chat.page.evaluate(`(() => {
      const header = document.querySelector('.chat-header');
      const buttons = Array.from(header.querySelectorAll('button'));
      const label = document.querySelector('#model-label');
      return {
        headerHeight: header.getBoundingClientRect().height,
        rows: new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top))).size,
        lines: buttons.map((b) => Math.round(b.getBoundingClientRect().height)),
        rightEdge: Math.max(...buttons.map((b) => b.getBoundingClientRect().right)),
        labelCut: label.scrollWidth > label.clientWidth,
        labelOverflow: getComputedStyle(label).textOverflow,
      };
    })()`) as { headerHeight: number; rows: number; lines: number[]; rightEdge: number; labelCut: boolean; labelOverflow: string };
    assert.equal(layout.rows, 1, 'all header buttons on one row');
    assert.ok(layout.headerHeight <= 40, `header height ${layout.headerHeight}`);
    assert.ok(layout.lines.every((h) => h <= 30), `no button wraps onto two lines: ${layout.lines.join(', ')}`);
    assert.ok(layout.rightEdge <= 290, 'nothing sticks out of the view');
    assert.equal(layout.labelCut, true, 'the long model name is cut');
    assert.equal(layout.labelOverflow, 'ellipsis');
    for (const id of ['history']) {
      const b = chat.page.locator(`button#${id}`);
      assert.equal((await b.textContent())?.trim(), '', `#${id} is an icon button`);
      assert.ok(((await b.getAttribute('aria-label')) ?? '').length > 3, `#${id} has an aria-label`);
      assert.equal(await b.getAttribute('title'), await b.getAttribute('aria-label'), `#${id} has a tooltip`);
    }
    assert.equal(await chat.page.locator('button#model').getAttribute('title'), 'anthropic/claude-sonnet-4-5-20250929-extended-context-preview: change model', 'the full name is in the tooltip');
    await chat.close();
  });

  test('at 170 px the model label shows the model\'s name without the provider prefix, uncut', async () => {
    const id = 'anthropic/claude-sonnet-4-5-20250929';
    const chat = await harness.open(emptySnapshot({ model: id, modelName: 'Claude Sonnet 4.5' }), undefined, { width: 170, height: 500 });
    const label = chat.page.locator('#model-label');
    const shown = async () => chat.page.evaluate(`(() => { const l = document.querySelector('#model-label'); return { text: l.textContent, cut: l.scrollWidth > l.clientWidth, right: document.querySelector('.chat-header').getBoundingClientRect().right }; })()`) as Promise<{ text: string; cut: boolean; right: number }>;
    assert.deepEqual(await shown(), { text: 'Claude Sonnet 4.5', cut: false, right: 170 });
    assert.equal(await chat.page.locator('button#model').getAttribute('title'), `Claude Sonnet 4.5 (${id}): change model`, 'the name and the id are in the tooltip');
    assert.equal(await chat.page.locator('button#model').getAttribute('aria-label'), 'Model: Claude Sonnet 4.5. Change model');
    // A model change from the host carries the name too; without one, the provider prefix is still dropped.
    await chat.send({ type: 'model', model: 'anthropic/claude-opus-4-1', modelName: 'Claude Opus 4.1' });
    assert.equal(await label.textContent(), 'Claude Opus 4.1');
    await chat.send({ type: 'model', model: 'anthropic/claude-haiku-4-5' });
    assert.equal(await label.textContent(), 'claude-haiku-4-5');
    await chat.close();
  });

  test('New Chat and Export are in the view title bar only, not repeated in the chat header', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 290, height: 500 });
    assert.equal(await chat.page.locator('.chat-header button').count(), 2, 'the header holds the model button and History');
    assert.equal(await chat.page.locator('#new-chat, #export-chat').count(), 0);
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when?: string; group?: string }>> } };
    const titleBar = manifest.contributes.menus['view/title']!.filter((m) => m.when === 'view == fastrouter.chatView' && m.group?.startsWith('navigation'));
    assert.deepEqual(titleBar.map((m) => m.command).sort(), ['fastrouter.exportChat', 'fastrouter.newChat']);
    await chat.close();
  });

  test('at 200 px code toolbars wrap below the language label and table cells keep whole words', async () => {
    const answer = '| Option | Cost | Risk | Behaviour |\n|:--|--:|:--|:--|\n| Lazy read | medium | breaking | unchanged |\n\n```ts\nconst a = 1;\n```\n';
    const chat = await harness.open(emptySnapshot({ turns: [assistantTurn('a1', answer, { status: 'done' })] }), undefined, { width: 200, height: 500 });
    const layout = await chat.page.evaluate(`(() => {
      const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight);
      const lang = document.querySelector('.code-lang');
      const cells = Array.from(document.querySelectorAll('.answer td, .answer th')).filter((c) => !c.textContent.includes(' '));
      return {
        langLines: Math.round(lang.getBoundingClientRect().height / lineHeight(lang)),
        brokenCells: cells.filter((c) => { const r = document.createRange(); r.selectNodeContents(c); return r.getClientRects().length > 1; }).map((c) => c.textContent),
      };
    })()`) as { langLines: number; brokenCells: string[] };
    assert.equal(layout.langLines, 1, 'the language label is not squeezed into a column');
    assert.deepEqual(layout.brokenCells, [], 'one-word cells are not broken mid-word');
    await chat.close();
  });

  test('code blocks keep one background under VS Code\'s default webview style for code elements', async () => {
    const chat = await harness.open(emptySnapshot({ turns: [assistantTurn('a1', '```ts\nconst a = 1;\n```\n\nand `inline`', { status: 'done' })] }));
    // VS Code injects a layered default style that gives every code element a chip background and padding.
    const styles = await chat.page.evaluate(`(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('@layer vscode-default { code { background-color: rgb(60, 60, 60); padding: 1px 3px; border-radius: 4px; color: rgb(215, 186, 125); } }');
      document.adoptedStyleSheets = [sheet, ...document.adoptedStyleSheets];
      const block = getComputedStyle(document.querySelector('.code-block pre code'));
      const inline = getComputedStyle(document.querySelector('.answer p code'));
      return { blockBg: block.backgroundColor, blockPadding: block.paddingLeft, inlineBg: inline.backgroundColor };
    })()`) as { blockBg: string; blockPadding: string; inlineBg: string };
    assert.equal(styles.blockBg, 'rgba(0, 0, 0, 0)', 'no band behind each line of a code block');
    assert.equal(styles.blockPadding, '0px');
    assert.notEqual(styles.inlineBg, 'rgba(0, 0, 0, 0)', 'inline code still has its chip');
    await chat.close();
  });
});

describe('chat webview: keyboard only', () => {
  let harness: Harness;
  before(async () => { harness = await Harness.start(); });
  after(async () => { await harness?.close(); });

  const activeId = (chat: ChatPage) => chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id);

  test('Send by keyboard moves the focus to Stop and back to the input; Escape stops the answer; Escape closes the list onto its button', async () => {
    const chat = await harness.open(emptySnapshot({ conversations: [{ id: 'c1', title: 'First', updatedAt: 1 }] }));
    await chat.page.locator('#composer-input').fill('question');
    await chat.page.locator('button#send').focus();
    await chat.page.keyboard.press('Space');
    assert.deepEqual((await chat.posted()).filter((m) => m.type === 'send'), [{ type: 'send', text: 'question', images: [] }]);
    await chat.send({ type: 'busy', busy: true });
    assert.equal(await activeId(chat), 'stop', 'the focus moves from the hidden Send to Stop');

    await chat.clearPosted();
    await chat.page.keyboard.press('Escape');
    assert.deepEqual(await chat.posted(), [{ type: 'stop' }], 'Escape stops while an answer streams');
    await chat.send({ type: 'busy', busy: false });
    assert.equal(await activeId(chat), 'composer-input', 'the focus returns to the input when Stop hides');
    await chat.clearPosted();
    await chat.page.keyboard.press('Escape');
    assert.deepEqual(await chat.posted(), [], 'Escape does nothing when nothing streams');

    await chat.page.locator('button#history').focus();
    await chat.page.keyboard.press('Enter');
    assert.equal(await chat.page.locator('#conversation-panel').isVisible(), true);
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } } }).document.activeElement.className), 'conversation-open');
    await chat.page.keyboard.press('Escape');
    assert.equal(await chat.page.locator('#conversation-panel').isVisible(), false);
    assert.equal(await activeId(chat), 'history', 'the focus returns to the History button');
    await chat.close();
  });
});

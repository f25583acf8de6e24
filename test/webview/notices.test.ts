// What the user must not miss: a notice above the input with its action (a bad setting's Open Settings), and a question
// that got no answer marked as not sent with later questions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness } from './harness';
import { assistantTurn, delta, turnAdded, userTurn } from './fixtures';

describe('chat webview: notices and failed questions', () => {
  const harness = useHarness();

  test('a notice with Open Settings shows above the input and its button opens that setting', async () => {
    const chat = await harness.open();
    const message = 'Setting "fastrouter.baseUrl" is "localhost:8787": must start with https://. Requests are not sent until it is fixed.';
    await chat.send({ type: 'notice', level: 'error', message, actions: ['openSettings'], setting: 'fastrouter.baseUrl' });
    const notice = chat.page.locator('#composer-notice');
    await notice.waitFor({ state: 'visible' });
    assert.equal(await notice.locator('.notice-message').textContent(), message);
    assert.equal(await notice.getAttribute('role'), 'alert', 'read out by screen readers');
    await chat.clearPosted();
    await notice.getByRole('button', { name: 'Open Settings' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'noticeAction', action: 'openSettings', setting: 'fastrouter.baseUrl' }]);
    // A plain notice replaces it, without buttons.
    await chat.send({ type: 'notice', level: 'info', message: 'FastRouter API key saved in the OS keychain.' });
    assert.equal(await notice.locator('button').count(), 0);
    assert.equal(await notice.innerText(), 'FastRouter API key saved in the OS keychain.');
  });

  test('a question whose answer failed before any text is marked as not sent with later ones; a partial answer is not', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1', '401 test'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'error', error: { code: 'auth', message: 'FastRouter rejected the API key.', actions: ['setApiKey', 'retry'] } });
    const first = chat.page.locator('.turn[data-role="user"][data-turn-id="t1-q"]');
    assert.equal(await first.getAttribute('data-failed'), 'true');
    assert.match(await first.locator('.question-note').innerText(), /Not answered, so not sent with later questions\./);

    await chat.send(turnAdded('t2', 'Second'));
    await chat.send(delta('t2', 'Half an ans'));
    await chat.send({ type: 'turnEnded', turnId: 't2', status: 'error', error: { code: 'network', message: 'Dropped.', actions: ['retry'] } });
    const second = chat.page.locator('.turn[data-role="user"][data-turn-id="t2-q"]');
    assert.equal(await second.getAttribute('data-failed'), null, 'the partial answer is context, so the question is too');

    // Retry that answers it clears the mark.
    await chat.send({ type: 'turnRestarted', turnId: 't1', blocks: [] });
    await chat.send(delta('t1', 'Now answered.'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    assert.equal(await first.getAttribute('data-failed'), null);
    assert.equal(await first.locator('.question-note').count(), 0);
  });

  test('a snapshot marks failed and stopped-before-any-text questions the same way', async () => {
    const chat = await harness.open();
    await chat.send({
      type: 'snapshot',
      snapshot: {
        conversationId: 'c1', conversations: [], model: 'anthropic/claude-sonnet-4-20250514', busy: false,
        turns: [
          userTurn('u1', 'stopped early'), assistantTurn('a1', '', { status: 'stopped' }),
          userTurn('u2', 'fine'), assistantTurn('a2', 'An answer.', { status: 'done' }),
        ],
      },
    });
    assert.equal(await chat.page.locator('.turn[data-turn-id="u1"]').getAttribute('data-failed'), 'true');
    assert.equal(await chat.page.locator('.turn[data-turn-id="u2"]').getAttribute('data-failed'), null);
  });
});

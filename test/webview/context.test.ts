// Files and problems that go with the next message (Add File to Chat, Add Problems to Chat, files dragged from the
// Explorer): chips with name and size, removable, the Add File… button, and sending with only an attachment.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness } from './harness';

describe('chat webview: files and problems for the next message', () => {
  const harness = useHarness();

  test('chips show each file\'s name and size and the problems\' count; ✕ asks the host to remove it; the list follows the host', async () => {
    const chat = await harness.open();
    const chips = chat.page.locator('#context-chips .context-chip');
    assert.equal(await chips.count(), 0);
    assert.equal(await chat.page.locator('#context-chips').isVisible(), false, 'no empty strip');
    await chat.send({
      type: 'pendingContext',
      items: [
        { id: 'f1', kind: 'file', label: 'src/deep/parser.ts', chars: 2150 },
        { id: 'f2', kind: 'file', label: 'README.md', chars: 300_000, cut: true },
        { id: 'p1', kind: 'problems', label: 'Problems', chars: 900, count: 12 },
      ],
    });
    await chips.first().waitFor();
    assert.deepEqual(await chips.locator('.context-name').allInnerTexts(), ['parser.ts', 'README.md', 'Problems']);
    assert.deepEqual(await chips.locator('.context-size').allInnerTexts(), ['2.1 KB', '293 KB, cut', '12 problems']);
    assert.equal(await chips.first().getAttribute('title'), 'src/deep/parser.ts', 'the full path on hover');
    await chat.clearPosted();
    await chat.page.getByRole('button', { name: 'Remove src/deep/parser.ts from the next message' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'removeContext', id: 'f1' }]);
    assert.equal(await chips.count(), 3, 'the host decides: nothing disappears until it says so');
    await chat.send({ type: 'pendingContext', items: [{ id: 'p1', kind: 'problems', label: 'Problems', chars: 900, count: 1 }] });
    assert.deepEqual(await chips.locator('.context-size').allInnerTexts(), ['1 problem']);
  });

  test('with a file attached, Send works without text; Add File… asks the host for its pick', async () => {
    const chat = await harness.open();
    await chat.send({ type: 'pendingContext', items: [{ id: 'f1', kind: 'file', label: 'a.ts', chars: 10 }] });
    await chat.page.locator('#context-chips .context-chip').waitFor();
    await chat.clearPosted();
    await chat.page.locator('#send').click();
    assert.deepEqual(await chat.posted(), [{ type: 'send', text: '', images: [] }]);
    await chat.send({ type: 'pendingContext', items: [] });
    await chat.clearPosted();
    await chat.page.locator('#send').click();
    assert.deepEqual(await chat.posted(), [], 'nothing to send');
    await chat.page.getByRole('button', { name: 'Add files or problems to the next message' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'pickContext' }]);
  });

  test('files dropped from VS Code (its URI list, or text/uri-list) go to the host as URIs', async () => {
    const chat = await harness.open();
    await chat.clearPosted();
    // Runs in the page (a string, so this file needs no DOM types).
    const drop = (type: string, data: string) => chat.page.evaluate<boolean>(`(() => {
      const transfer = new DataTransfer();
      transfer.setData(${JSON.stringify(type)}, ${JSON.stringify(data)});
      const target = document.querySelector('#composer-input');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      return target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    })()`);
    assert.equal(await drop('application/vnd.code.uri-list', JSON.stringify(['file:///w/src/a.ts', 'file:///w/b.md'])), false, 'the drop is taken (default prevented)');
    assert.equal(await drop('text/uri-list', '# a comment\r\nfile:///w/c.ts\r\n'), false);
    assert.deepEqual(await chat.posted(), [
      { type: 'dropUris', uris: ['file:///w/src/a.ts', 'file:///w/b.md'] },
      { type: 'dropUris', uris: ['file:///w/c.ts'] },
    ]);
  });
});

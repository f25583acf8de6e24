// Conversations saved before a user turn could carry several context items still load: their single `code`
// selection becomes `context: [selection]`, sent exactly as before.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildRequest } from '../../src/core/conversation/conversationRequest';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../src/core/request/prompt';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('a saved turn with the old single `code` field loads as one selection in `context`', async () => {
  const root = await mkdtemp(join(tmpdir(), 'chat-store-legacy-'));
  dirs.push(root);
  const dir = join(root, 'conversations');
  await mkdir(dir, { recursive: true });
  const legacy = {
    version: 1, id: 'old1', title: 'Old', createdAt: 1, updatedAt: 2,
    exchanges: [{
      user: { id: 'u1', role: 'user', text: 'Why?', code: { languageId: 'typescript', path: 'src/a.ts', startLine: 3, endLine: 4, text: 'let a = 1;\nlet b = 2;' }, images: [] },
      answer: { id: 'a1', status: 'done', messages: [{ content: [{ type: 'text', text: 'Because.' }], complete: true }] },
    }],
  };
  await writeFile(join(dir, 'old1.json'), JSON.stringify(legacy));
  const data = await new ConversationStore(dir).load('old1');
  assert.ok(data, 'the legacy file loads');
  const user = data.exchanges[0].user;
  assert.deepEqual(user.context, [{ id: 'u1-code', kind: 'selection', languageId: 'typescript', path: 'src/a.ts', startLine: 3, endLine: 4, text: 'let a = 1;\nlet b = 2;' }]);
  assert.equal('code' in user, false, 'the old field is gone');
  const [message] = buildRequest(data.exchanges, 0, 'answer', buildUserContent).messages;
  assert.equal(message.content, 'From `src/a.ts` (lines 3-4, typescript):\n\n```typescript\nlet a = 1;\nlet b = 2;\n```\n\nWhy?');
});

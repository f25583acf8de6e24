// Blocks the chat does not model (server tools such as web search, types added later): their row label, what goes back
// to the API, and the Markdown export. Pure functions, no I/O.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentBlock } from '../../src/api';
import { sendableContent } from '../../src/core/conversation/conversationRequest';
import { opaqueBlockLabel, toAnswerBlock } from '../../src/core/conversation/conversationAnswer';
import { conversationToMarkdown } from '../../src/core/conversation/conversationMarkdown';

const search = (input: unknown): ContentBlock => ({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input }) as ContentBlock;
const result = { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://a.example', title: 'A' }] } as ContentBlock;

test('row labels: a web search names its query (one line, cut when long); anything else shows its type', () => {
  const cases: Array<[ContentBlock, string]> = [
    [search({ query: 'zig 0.14 release' }), 'Searched the web: zig 0.14 release'],
    [search({ query: '  two\n  lines\t here ' }), 'Searched the web: two lines here'],
    [search({}), 'Searching the web…'],
    [search({ query: '' }), 'Searching the web…'],
    [search({ query: 42 }), 'Searching the web…'],
    [search(undefined), 'Searching the web…'],
    [{ type: 'server_tool_use', id: 's', name: 'web_fetch', input: { url: 'https://x' } } as ContentBlock, 'server_tool_use'],
    [result, 'web_search_tool_result'],
    [{ type: 'future_block_type' } as unknown as ContentBlock, 'future_block_type'],
  ];
  for (const [block, label] of cases) assert.equal(opaqueBlockLabel(block), label, JSON.stringify(block));
  const long = opaqueBlockLabel(search({ query: 'q'.repeat(500) }));
  assert.equal(long, `Searched the web: ${'q'.repeat(199)}…`);
  assert.deepEqual(toAnswerBlock(search({ query: 'x' })), { kind: 'opaque', type: 'server_tool_use', label: 'Searched the web: x' });
});

test('a complete answer sends its server blocks back verbatim and in place; a cut one sends only its text', () => {
  const content = [search({ query: 'x' }), result, { type: 'text', text: 'Answer.' } as ContentBlock];
  assert.deepEqual(sendableContent({ content, complete: true }), content);
  assert.deepEqual(sendableContent({ content, complete: false }), [{ type: 'text', text: 'Answer.' }]);
  // A search with no text after it adds nothing the model can build on (like thinking alone).
  assert.deepEqual(sendableContent({ content: [search({ query: 'x' }), result], complete: true }), []);
});

test('the Markdown export shows a row as a note, with Markdown characters of the query escaped', () => {
  const markdown = conversationToMarkdown('T', [
    { id: 'u', role: 'user', text: 'Q', context: [], images: [] },
    { id: 'a', role: 'assistant', status: 'done', blocks: [{ kind: 'opaque', type: 'server_tool_use', label: 'Searched the web: *bold* [x](y)' }, { kind: 'text', text: 'A.' }] },
  ]);
  assert.match(markdown, /\*\(Searched the web: \\\*bold\\\* \\\[x\\\]\(y\)\)\*\n\nA\./);
});

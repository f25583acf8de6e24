// Edit Selection's request: the file, language, lines, context before and after, problems and the instruction, in a
// fence the code cannot close; and the instruction history (newest first, no repeats, short).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EDIT_SYSTEM_PROMPT, editUserText, rememberInstruction } from '../../src/core/edit/editPrompt';

test('the user message names the file and lines, fences code and context, and asks for the replacement only', () => {
  const text = editUserText({
    instruction: '  Rename x to count ',
    path: 'src/a.md',
    languageId: 'markdown',
    startLine: 3,
    endLine: 4,
    code: 'x = 1\n```\n',
    before: 'intro\n',
    after: '',
    diagnostics: ['error (line 3): bad'],
  });
  assert.match(text, /^File `src\/a\.md` \(markdown\)\./);
  assert.ok(text.includes('Lines before the code (context only, do not repeat them):\n```markdown\nintro\n```'), 'its own fence');
  assert.ok(text.includes('The code to rewrite (lines 3-4):\n````markdown\nx = 1\n```\n````'), 'a fence longer than any inside');
  assert.ok(!text.includes('Lines after the code'), 'no empty context block');
  assert.ok(text.includes('Problems reported on this code:\n- error (line 3): bad'));
  assert.ok(text.endsWith('Instruction: Rename x to count\n\nReply with the replacement code only.'));
  assert.match(EDIT_SYSTEM_PROMPT, /replacement .* and nothing else/);
});

test('the instruction history keeps the newest first, no repeats, at most 20', () => {
  let history: string[] = [];
  for (let i = 0; i < 25; i++) history = rememberInstruction(history, `task ${i}`);
  assert.equal(history.length, 20);
  assert.equal(history[0], 'task 24');
  history = rememberInstruction(history, ' task 10 ');
  assert.equal(history[0], 'task 10');
  assert.equal(history.filter((h) => h === 'task 10').length, 1);
  assert.deepEqual(rememberInstruction(['a'], '   '), ['a']);
});

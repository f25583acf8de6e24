import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLink } from '../../src/chat/conversationLinks';

test('http, https and mailto links may be opened', () => {
  assert.deepEqual(checkLink('https://fastrouter.ai/docs?a=1#x'), { ok: true, url: 'https://fastrouter.ai/docs?a=1#x' });
  assert.deepEqual(checkLink('HTTP://Example.com'), { ok: true, url: 'http://example.com/' });
  assert.deepEqual(checkLink('mailto:someone@example.com'), { ok: true, url: 'mailto:someone@example.com' });
});

test('every other scheme, and text that is not a URL, is refused', () => {
  for (const href of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>1</script>', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://settings', 'vbscript:x', '/relative/path', '']) {
    const result = checkLink(href);
    assert.equal(result.ok, false, href);
  }
  const refused = checkLink('command:fastrouter.clearApiKey');
  assert.ok(!refused.ok && refused.reason === 'scheme command:');
});

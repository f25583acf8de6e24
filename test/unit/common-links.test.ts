// The one link policy (protocol.ts `checkLink`), used by the webview to decide which links keep an href and by the host
// before `openLink` opens anything: judged on the parsed URL, never on a prefix of the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLink } from '../../src/common/links';

/** [href as written in the answer, the URL opened, or null when it must not be a link]. */
const TABLE: Array<[string, string | null]> = [
  // Opened, normalised.
  ['https://fastrouter.ai/docs?a=1#x', 'https://fastrouter.ai/docs?a=1#x'],
  ['HTTP://Example.com', 'http://example.com/'],
  ['  https://example.com/a  ', 'https://example.com/a'],
  ['mailto:someone@example.com', 'mailto:someone@example.com'],
  ['https://example.com/javascript:alert(1)', 'https://example.com/javascript:alert(1)'],
  ['https:example.com/path', 'https://example.com/path'],
  ['https://user@example.com/', 'https://user@example.com/'],
  // The report: a prefix check keeps these clickable; parsed, they are not URLs at all.
  ['https:javascript:alert(1)', null],
  ['http:javascript:alert(1)', null],
  ['https://javascript:alert(1)', null],
  ['https:/\\javascript:alert(1)', null],
  ['HTTPS:JAVASCRIPT:alert(document.cookie)', null],
  // Other schemes, however they are dressed up (the URL parser drops tabs and newlines inside a scheme).
  ['javascript:alert(1)', null],
  [' JavaScript:alert(1)', null],
  ['java\tscript:alert(1)', null],
  ['java\nscript:alert(1)', null],
  ['\u0000javascript:alert(1)', null],
  ['data:text/html,<script>1</script>', null],
  ['vbscript:x', null],
  ['file:///etc/passwd', null],
  ['command:workbench.action.terminal.new', null],
  ['command:fastrouter.clearApiKey', null],
  ['vscode://settings', null],
  ['blob:https://example.com/uuid', null],
  ['ftp://example.com/file', null],
  // Not parseable on their own: plain text.
  ['/relative/path', null],
  ['//example.com/x', null],
  ['#anchor', null],
  ['https://exa mple.com', null],
  ['https://example.com:99999/', null],
  ['https:', null],
  ['', null],
];

test('checkLink: a table of links, each opened as its parsed URL or refused', () => {
  for (const [href, expected] of TABLE) {
    const result = checkLink(href);
    assert.deepEqual(result.ok ? result.url : null, expected, JSON.stringify(href));
  }
});

test('a refusal names the scheme only (the link itself may carry data the model was steered to leak)', () => {
  assert.deepEqual(checkLink('command:fastrouter.clearApiKey'), { ok: false, reason: 'scheme command:' });
  assert.deepEqual(checkLink('https:javascript:alert("sk-live-SECRET")'), { ok: false, reason: 'not a URL' });
  const data = checkLink('data:text/plain,sk-live-SECRET');
  assert.ok(!data.ok && !data.reason.includes('SECRET'));
});

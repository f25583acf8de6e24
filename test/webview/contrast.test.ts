// Every text/background pair of the chat meets WCAG AA (4.5:1) in each of VS Code's default themes (light, dark, high
// contrast, high contrast light), measured in Chromium on the real page with the theme's variables, body classes
// and VS Code's default webview styles (test/webview/themes.ts). Text on a translucent background is measured against
// what it composites to.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot } from './harness';
import { assistantTurn, meta, userTurn } from './fixtures';
import { THEMES, applyThemeScript } from './themes';

const ANSWER = [
  'A paragraph with `inline code`, a [link](https://example.com/docs), **bold** and *emphasis*.',
  '',
  '> A quoted note with `code` inside.',
  '',
  '| Name | Value |',
  '|------|------:|',
  '| `a` | 1 |',
  '',
  '```ts',
  '// a comment',
  'export function parse(input: string): number[] {',
  '  const re = /\\d+/g; // regexp',
  '  return [1, 2.5, "text", `tpl`].map(Number) as number[];',
  '}',
  '@Decorator() class Foo<T> extends Bar {}',
  '```',
  '',
  '```diff',
  '- removed line',
  '+ added line',
  '```',
  '',
  '![diagram](https://example.com/diagram.png)',
].join('\n');

/** What is measured: the label a failure names, and the elements (each element with its own text is checked). */
const TARGETS: Array<[string, string]> = [
  ['body text', '.answer p'],
  ['inline code', '.answer p > code'],
  ['inline code in a table', '.answer td code'],
  ['inline code in a quote', '.answer blockquote code'],
  ['link', '.answer a'],
  ['quote', '.answer blockquote p'],
  ['table header', '.answer th'],
  ['code block text', '.code-block pre code'],
  ['code token', '.code-block pre code span'],
  ['code language label', '.code-lang'],
  ['code block button', '.code-actions button'],
  ['image placeholder', '.image-placeholder .image-label, .image-placeholder .image-alt, .image-placeholder .image-url, .image-placeholder button'],
  ['user question', '.user-text'],
  ['turn label', '.turn-label'],
  ['thinking', 'details.thinking summary, .thinking-text'],
  ['meta line', '.answer-meta, .answer-meta span'],
  ['stop reason note', '.turn-note'],
  ['note button', '.turn-note button'],
  ['error message', '.turn-error .error-message'],
  ['error button', '.error-actions button'],
  ['model label', '#model-label'],
  ['conversation title', '.conversation-title'],
  ['conversation date', '.conversation-date'],
  ['composer input', '#composer-input'],
  ['composer notice', '#composer-notice .notice-message'],
  ['notice button', '#composer-notice button'],
  ['send button', 'button#send'],
];

interface Pair { label: string; text: string; color: string; background: string; ratio: number }

/** Runs in the page: the contrast of every target element that shows its own text. */
const MEASURE = `(targets) => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) throw new Error('unparsed colour ' + c);
    const [r, g, b, a = '1'] = m[1].split(/[ ,\\/]+/).filter(Boolean);
    return [Number(r), Number(g), Number(b), Number(a)];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const out = [];
  for (const [label, selector] of targets) {
    const elements = Array.from(document.querySelectorAll(selector));
    if (elements.length === 0) out.push({ label, text: '(missing: ' + selector + ')', color: '', background: '', ratio: 0 });
    for (const el of elements) {
      const ownText = el.matches('textarea') ? (el.value || el.placeholder) : Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
      if (!ownText || el.getClientRects().length === 0) continue;
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      out.push({ label, text: ownText.slice(0, 30), color: hex(fg), background: hex(bg), ratio: Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100 });
    }
  }
  return out;
}`;

describe('chat webview: contrast in every theme kind', () => {
  const harness = useHarness();

  for (const theme of THEMES) {
    test(`${theme.name} (${theme.kind}): every text/background pair is at least 4.5:1`, async () => {
      const chat = await harness.open(emptySnapshot({
        turns: [
          userTurn('u1', 'How do I parse numbers?'),
          assistantTurn('a1', '', {
            status: 'done',
            blocks: [{ kind: 'thinking', text: 'Thinking about numbers.' }, { kind: 'text', text: ANSWER }],
            meta: meta({ stopReason: 'max_tokens', cost: { kind: 'estimate', credits: 0.002694 } }),
          }),
          userTurn('u2', 'And then?'),
          assistantTurn('a2', 'Partial answer', {
            status: 'error',
            error: { code: 'rate_limit', message: 'Rate limited by FastRouter (429).', actions: ['retry', 'showLog'] },
          }),
        ],
        conversations: [{ id: 'c1', title: 'Parsing numbers', updatedAt: Date.UTC(2026, 0, 5) }, { id: 'c2', title: 'Other chat', updatedAt: Date.UTC(2026, 0, 4) }],
        model: 'anthropic/claude-sonnet-4-5', modelName: 'Claude Sonnet 4.5',
      }));
      await chat.page.evaluate(applyThemeScript(theme));
      await chat.page.locator('button#history').click();
      await chat.page.locator('details.thinking summary').click();
      await chat.send({ type: 'notice', level: 'error', message: 'fastrouter.baseUrl "localhost:8787" is not a valid URL.', actions: ['openSettings'], setting: 'fastrouter.baseUrl' });
      await chat.page.locator('#composer-input').fill('A question being typed');
      await chat.frames();
      const pairs = await chat.page.evaluate(`(${MEASURE})(${JSON.stringify(TARGETS)})`) as Pair[];
      const measured = new Set(pairs.map((p) => p.label));
      for (const [label] of TARGETS) assert.ok(measured.has(label), `${label} was measured`);
      const failing = pairs.filter((p) => !(p.ratio >= 4.5)).map((p) => `${p.label} "${p.text}": ${p.color} on ${p.background} = ${p.ratio}:1`);
      assert.deepEqual(failing, [], `${theme.name}: pairs under 4.5:1`);
      assert.deepEqual(await chat.violations(), []);
      await chat.close();
    });
  }

  test('secondary buttons use the button tokens: secondary background, foreground and border, never the accent border', async () => {
    const light = THEMES.find((t) => t.kind === 'light')!;
    const chat = await harness.open(emptySnapshot({
      turns: [assistantTurn('a1', 'Partial\n\n```ts\nconst a = 1;\n```', { status: 'error', error: { code: 'network', message: 'Could not connect.', actions: ['retry'] } })],
    }));
    const style = (selector: string) => chat.page.locator(selector).first().evaluate((el) => {
      const s = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string; borderTopColor: string; borderTopWidth: string } }).getComputedStyle(el);
      return { color: s.color, background: s.backgroundColor, border: `${s.borderTopWidth} ${s.borderTopColor}` };
    });
    await chat.page.evaluate(applyThemeScript(light));
    // Light 2026: button.border is the accent #0069CC; a secondary button takes button.secondaryBorder (#EAEAEA).
    assert.deepEqual(await style('.error-actions button'), { color: 'rgb(32, 32, 32)', background: 'rgb(234, 234, 234)', border: '1px rgb(234, 234, 234)' });
    assert.deepEqual(await style('button#send'), { color: 'rgb(255, 255, 255)', background: 'rgb(0, 105, 204)', border: '1px rgb(0, 105, 204)' });
    // Toolbar buttons (code block actions, header icons) have no border at all, as in the workbench's toolbars.
    assert.equal((await style('.code-actions button')).border, '1px rgba(0, 0, 0, 0)');
    assert.equal((await style('button#history')).border, '1px rgba(0, 0, 0, 0)');
    // A theme without button.secondaryBorder (older VS Code): the secondary button falls back to button.border, as VS Code does.
    await chat.page.evaluate(`document.documentElement.style.removeProperty('--vscode-button-secondaryBorder'); document.documentElement.style.setProperty('--vscode-button-border', '#FFFFFF12')`);
    assert.equal((await style('.error-actions button')).border, '1px rgba(255, 255, 255, 0.07)');
    await chat.close();
  });
});

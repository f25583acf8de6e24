// CSS in chat answers: what each token of a realistic stylesheet is highlighted as (the scope names the chat's theme
// colours), that every rule block closes so the streamed highlighter's segments settle, and that streaming it line by
// line gives exactly the one-shot result.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import hljs from 'highlight.js/lib/core';
import { SegmentedHighlight, highlightCode } from '../../src/webviews/chat/highlight';

const STYLESHEET = `@import url("theme.css") layer(base);
@layer reset, components;

/* Design tokens { shared by every theme } */
:root {
  --accent: #3b82f6;
  --radius: calc(0.25rem + 2px);
}

body > main.app, #root[data-theme="dark"] {
  margin: 0 auto !important;
  font: 14px/1.5 "Segoe UI", sans-serif;
  background: url("img/bg;v=2.png") no-repeat, rgb(10 20 30 / 50%);
}

.card {
  border-radius: var(--radius);
  color: var(--accent);

  &:hover { box-shadow: 0 1px 4px rgba(0, 0, 0, 0.2); }
  & .title::before { content: "}"; }
  a:not(.external):focus-visible {
    outline: 2px solid currentColor;
  }
}

@media (max-width: 600px) and (prefers-color-scheme: dark) {
  .card { padding: 8px 12px; }
}

@keyframes spin {
  from { transform: rotate(0deg); }
  to { transform: rotate(360deg); }
}

@supports (display: grid) {
  .grid { display: grid; grid-template-columns: repeat(3, 1fr); }
}

@container sidebar (min-width: 400px) {
  .card { width: 50%; }
}
`;

interface Token { scope: string; text: string; line: number }

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'" };

/** Every `<span class="hljs-…">` of highlight.js's HTML with its whole text and the line it starts on, in order. */
function tokens(html: string): Token[] {
  const out: Token[] = [];
  const open: Token[] = [];
  let line = 0;
  for (const [part] of html.matchAll(/<span class="([^"]*)">|<\/span>|[^<]+/g)) {
    if (part.startsWith('<span')) {
      const token = { scope: /class="(?:hljs-)?([^" ]*)/.exec(part)![1], text: '', line };
      out.push(token);
      open.push(token);
    } else if (part === '</span>') {
      open.pop();
    } else {
      const text = part.replace(/&(?:amp|lt|gt|quot|#x27);/g, (entity) => ENTITIES[entity]);
      for (const token of open) token.text += text;
      line += text.split('\n').length - 1;
    }
  }
  return out;
}

const LINES = STYLESHEET.split('\n');
/** The 0-based number of the first line of the stylesheet that starts with `start`. */
function lineOf(start: string): number {
  const index = LINES.findIndex((line) => line.startsWith(start));
  assert.ok(index >= 0, start);
  return index;
}

/** Whether highlight.js is back at its grammar's top level after `code` (what SegmentedHighlight cuts on). */
function endsAtTopLevel(code: string, language: string): boolean {
  const result = hljs.highlight(code, { language, ignoreIllegals: true }) as unknown as { _top?: { parent?: unknown } };
  return result._top !== undefined && result._top.parent === undefined;
}

function streamed(code: string, language: string): SegmentedHighlight {
  const state = new SegmentedHighlight(language);
  for (const line of code.split(/(?<=\n)/).slice(0, -1)) state.feed(line);
  return state;
}

describe('webview: CSS highlighting', () => {
  const all = tokens(highlightCode(STYLESHEET, 'css')!);
  /** Asserts that on the line starting with `start` each [scope, text] pair is a token (scope 'property' means attr or attribute). */
  function expectOn(start: string, expected: Array<[string, string]>): void {
    const line = lineOf(start);
    const onLine = all.filter((token) => token.line === line);
    for (const [scope, text] of expected) {
      const found = onLine.some((token) => token.text === text && (scope === 'property' ? ['attr', 'attribute'].includes(token.scope) : token.scope === scope));
      assert.ok(found, `line ${line + 1} "${LINES[line].trim()}": ${JSON.stringify(text)} as ${scope}; got ${JSON.stringify(onLine.map((t) => [t.scope, t.text]))}`);
    }
  }
  /** Asserts that none of `words` on the line starting with `start` is inside any token. */
  function plainOn(start: string, words: string[]): void {
    const line = lineOf(start);
    for (const word of words) {
      const inside = all.filter((token) => token.line === line && token.text.includes(word));
      assert.deepEqual(inside.map((t) => [t.scope, t.text]), [], `line ${line + 1}: ${word} is plain`);
    }
  }

  test('a "{" inside quotes in a value does not make the declaration a selector', () => {
    const code = 'a::before { content: "{"; }\n.icon { background: url("data:image/svg+xml,<style>p{fill:red}</style>"); }\n';
    const found = tokens(highlightCode(code, 'css')!).map((t) => [t.scope, t.text]);
    for (const expected of [['attribute', 'content'], ['string', '"{"'], ['attribute', 'background'], ['built_in', 'url']]) {
      assert.ok(found.some(([scope, text]) => scope === expected[0] && text === expected[1]), `${expected.join(' ')}: ${JSON.stringify(found)}`);
    }
    assert.ok(!found.some(([scope, text]) => scope === 'selector-tag' && (text === 'content' || text === 'background' || text === 'style')), JSON.stringify(found));
  });

  test('at-rules and their preludes', () => {
    expectOn('@import', [['keyword', '@import'], ['string', '"theme.css"']]);
    expectOn('@layer', [['keyword', '@layer']]);
    expectOn('@media', [['keyword', '@media'], ['property', 'max-width'], ['number', '600px'], ['keyword', 'and'], ['property', 'prefers-color-scheme']]);
    plainOn('@media', ['dark']);
    expectOn('@keyframes', [['keyword', '@keyframes']]);
    plainOn('@keyframes', ['spin']);
    expectOn('@supports', [['keyword', '@supports'], ['property', 'display']]);
    expectOn('@container', [['keyword', '@container'], ['property', 'min-width'], ['number', '400px']]);
    plainOn('@container', ['sidebar']);
  });

  test('a comment holding a brace stays a comment, and the rule after it is a rule', () => {
    expectOn('/*', [['comment', '/* Design tokens { shared by every theme } */']]);
    expectOn(':root', [['selector-pseudo', ':root']]);
    expectOn('  --accent', [['property', '--accent'], ['number', '#3b82f6']]);
    expectOn('  --radius', [['property', '--radius'], ['built_in', 'calc'], ['number', '0.25rem'], ['number', '2px']]);
  });

  test('selectors: element names, classes, ids, attributes, pseudo-classes and pseudo-elements', () => {
    expectOn('body', [['selector-tag', 'body'], ['selector-tag', 'main'], ['selector-class', '.app'], ['selector-id', '#root'], ['selector-attr', '[data-theme="dark"]'], ['string', '"dark"']]);
    expectOn('.card {', [['selector-class', '.card']]);
    expectOn('  a:not', [['selector-tag', 'a'], ['selector-pseudo', ':not'], ['selector-class', '.external'], ['selector-pseudo', ':focus-visible']]);
    expectOn('  from', [['selector-tag', 'from'], ['property', 'transform'], ['built_in', 'rotate'], ['number', '0deg']]);
    expectOn('  to', [['selector-tag', 'to'], ['number', '360deg']]);
  });

  test('declarations: property names, numbers with units, strings, !important and functions (a ; inside url\'s quotes ends nothing)', () => {
    expectOn('  margin', [['property', 'margin'], ['number', '0'], ['meta', '!important']]);
    plainOn('  margin', ['auto']);
    expectOn('  font', [['property', 'font'], ['number', '14px'], ['number', '1.5'], ['string', '"Segoe UI"']]);
    plainOn('  font', ['sans-serif']);
    expectOn('  background', [['property', 'background'], ['built_in', 'url'], ['string', '"img/bg;v=2.png"'], ['built_in', 'rgb'], ['number', '50%']]);
    plainOn('  background', ['no-repeat']);
    expectOn('  border-radius', [['property', 'border-radius'], ['built_in', 'var']]);
    expectOn('    outline', [['property', 'outline'], ['number', '2px']]);
    plainOn('    outline', ['solid', 'currentColor']);
  });

  test('nested rules (native CSS nesting) inside a rule, and a string holding a closing brace', () => {
    expectOn('  &:hover', [['selector-pseudo', ':hover'], ['property', 'box-shadow'], ['built_in', 'rgba'], ['number', '0.2']]);
    expectOn('  & .title', [['selector-class', '.title'], ['selector-pseudo', '::before'], ['property', 'content'], ['string', '"}"']]);
    expectOn('  .card { padding', [['selector-class', '.card'], ['property', 'padding'], ['number', '8px'], ['number', '12px']]);
    expectOn('  .grid', [['selector-class', '.grid'], ['property', 'display'], ['property', 'grid-template-columns'], ['built_in', 'repeat'], ['number', '3']]);
  });

  test('every line end of the stylesheet is the grammar\'s top level (so each streamed line settles as its own segment)', () => {
    // Neither a rule block nor a declaration keeps a mode open past its line: the only constructs that do are those
    // that span lines themselves (a comment, a string, a value continued on the next line).
    for (let i = 0; i < LINES.length - 1; i++) {
      const prefix = LINES.slice(0, i + 1).join('\n') + '\n';
      assert.ok(endsAtTopLevel(prefix, 'css'), `after line ${i + 1} "${LINES[i]}"`);
    }
    assert.ok(!endsAtTopLevel('/* a comment\n', 'css'), 'an open comment is not the top level');
  });

  test('streamed line by line, and resumed after any cut, the stylesheet gives the one-shot result (which is highlight.js\'s one pass)', () => {
    const whole = highlightCode(STYLESHEET, 'css');
    assert.equal(whole, hljs.highlight(STYLESHEET, { language: 'css', ignoreIllegals: true }).value);
    assert.equal(highlightCode(STYLESHEET, 'css', streamed(STYLESHEET, 'css')), whole);
    for (let end = 1; end < STYLESHEET.length; end += 5) {
      assert.equal(highlightCode(STYLESHEET, 'css', streamed(STYLESHEET.slice(0, end), 'css')), whole, `resumed after ${end} characters`);
    }
    // Segments settle line by line, not only when the 64-line cap forces a cut.
    assert.equal(streamed(STYLESHEET, 'css').segments.length, LINES.length - 2);
  });

  test('bare declarations (a snippet to paste into a rule) and a selector list over two lines', () => {
    const snippet = tokens(highlightCode('display: flex;\nalign-items: center;\ngap: 4px;\n', 'css')!);
    assert.deepEqual(snippet.map((t) => [t.scope, t.text]), [['attribute', 'display'], ['attribute', 'align-items'], ['attribute', 'gap'], ['number', '4px']]);
    const list = tokens(highlightCode('a:hover,\na:focus {\n  color: red;\n}\n', 'css')!);
    assert.deepEqual(list.map((t) => [t.scope, t.text]), [['selector-tag', 'a'], ['selector-pseudo', ':hover'], ['selector-tag', 'a'], ['selector-pseudo', ':focus'], ['attribute', 'color']]);
  });

  test('SCSS and Less fences use the CSS grammar: // comments, variables, !default, mixins and nesting', () => {
    const scss = '// Brand {colours}\n$primary: #0070f3 !default;\n.button {\n  background: darken($primary, 10%);\n  &:hover { color: $primary; }\n  @include respond(large) { padding: 1rem; }\n}\n';
    const pairs = tokens(highlightCode(scss, 'scss')!).map((t) => [t.scope, t.text]);
    assert.deepEqual(pairs, [['comment', '// Brand {colours}'], ['attribute', '$primary'], ['number', '#0070f3'], ['meta', '!default'], ['selector-class', '.button'],
      ['attribute', 'background'], ['built_in', 'darken'], ['variable', '$primary'], ['number', '10%'], ['selector-pseudo', ':hover'], ['attribute', 'color'], ['variable', '$primary'],
      ['keyword', '@include'], ['built_in', 'respond'], ['attribute', 'padding'], ['number', '1rem']]);
    const less = '@primary: #428bca;\n.panel {\n  color: fade(@primary, 50%);\n}\n';
    assert.deepEqual(tokens(highlightCode(less, 'less')!).map((t) => [t.scope, t.text]),
      [['attribute', '@primary'], ['number', '#428bca'], ['selector-class', '.panel'], ['attribute', 'color'], ['built_in', 'fade'], ['variable', '@primary'], ['number', '50%']]);
    // An unquoted url() keeps its // (it is no comment), and a ; inside it ends nothing.
    assert.deepEqual(tokens(highlightCode('a { background: url(//cdn.example/a;b.png) no-repeat; color: red; }\n', 'css')!).map((t) => [t.scope, t.text]),
      [['selector-tag', 'a'], ['attribute', 'background'], ['built_in', 'url'], ['string', '//cdn.example/a;b.png'], ['attribute', 'color']]);
  });

  test('a <style> element in HTML is highlighted as CSS', () => {
    const html = tokens(highlightCode('<style>\n  .a { color: red; }\n</style>\n', 'xml')!);
    assert.ok(html.some((t) => t.scope === 'selector-class' && t.text === '.a'));
    assert.ok(html.some((t) => t.scope === 'attribute' && t.text === 'color'));
  });
});

// The frontmatter reader against js-yaml (a dev dependency, kept only as the reference): every frontmatter that real
// rule files use reads to exactly what js-yaml reads, everything js-yaml rejects is rejected, and the few YAML forms the
// reader does not handle are rejected with their line, never read differently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { FrontmatterYamlError, parseFrontmatterYaml } from '../../src/core/context/frontmatterYaml';
import { parseFrontmatter, parseRule } from '../../src/core/context/rulesFormat';

/** Frontmatter as Cursor, Copilot, Cline, Roo and Continue write it (and as people hand-edit it). */
const SAME_AS_YAML: string[] = [
  'description: React components\nglobs: src/**/*.tsx, *.jsx\nalwaysApply: false',
  'description: Always on\nalwaysApply: true',
  'description:\nglobs:\nalwaysApply: false',
  'applyTo: "**/*.ts"',
  "applyTo: '**/*.ts,**/*.tsx'",
  'applyTo: "**"\ndescription: everywhere',
  'paths:\n  - "docs/**"\n  - src/**/*.md',
  'paths:\n- "docs/**"\n- \'src/**\'',
  'globs: ["a", "b"]\nalwaysApply: false',
  'globs: [src/**/*.ts, "test/**/*.ts", \'*.js\']',
  'globs: []',
  'globs: [\n  "a",\n  "b"\n  ]',
  'globs: [ "a",\n\n    b ]\nx: 1',
  'globs: [ a , b, ]',
  'name: Go\nglobs: "**/*.go"',
  'alwaysApply: True\ndescription: "Quote \\"inside\\" and a tab\\tand \\u00e9"',
  "description: 'It''s fine'",
  'description: Use the repository pattern # a comment\nalwaysApply: true   # trailing',
  'description: A long description\n  that goes on\n  over three lines\nalwaysApply: false',
  'description: >\n  Folded text\n  on two lines\n\n  and a paragraph\nalwaysApply: true',
  'description: |\n  Line one\n  Line two\nglobs: "*.py"',
  'description: |-\n  kept\n  lines\n',
  'description: >-\n  folded\n  without newline\n\nglobs: a',
  'description: |+\n  keep\n\n\nglobs: b',
  'description: https://example.com/docs?x=1#frag\nurl: a:b',
  'version: 2\nratio: 0.5\nneg: -3\nexp: 1e3\nhex: 0x1F\noct: 0o17\nnothing: ~\nnull2: null\ninf: .inf',
  'alwaysApply: yes\nother: no\nflag: on',
  'metadata:\n  author: someone\n  tags:\n    - a\n    - b\ndescription: nested',
  'rules:\n  - name: first\n    globs: "*.ts"\n  - name: second\n    globs: [a, b]',
  '"quoted key": 1\n\'single key\': two',
  'description: "a # not a comment"',
  'description: trailing spaces   \nalwaysApply: false\t',
  'list:\n  - - nested\n    - list',
  'empty_item:\n  -\n  - x',
  '__proto__: polluted\ndescription: x',
  'description: "multi  spaces  kept"',
  'key-with-dash: 1\nkey.with.dot: 2\nkey_with_underscore: 3',
  'just a scalar document',
  '- a\n- b',
  '[a, b]',
];

/** Not YAML at all: both reject. */
const BOTH_REJECT: string[] = [
  'globs: [\n  "a"\n]',
  'globs: "**/*.py',
  'applyTo: [unclosed',
  'globs: a\nglobs: b',
  'description: Use this: always',
  'a: b\n  c: d',
  'a: b\n- c',
  'description: *.ts', // (globs: *.ts is read as Cursor reads it: see the rule files below)
  'paths: **/*.ts',
  'x: !tag value',
  'x: @at',
  'x: `tick',
  'x: "a" b',
  'x: [a, b] c',
  '\tx: 1',
  'x: "\\q"',
];

/** Valid YAML the reader does not handle: rejected with a line (the rule is reported, not read differently). */
const ONLY_WE_REJECT: string[] = [
  'x: &a 1\ny: *a',
  'x: {a: 1}',
  'x: "multi\n  line quoted"',
  'x: [[a], b]',
  'x: &anchor 1',
  'x: !!str 1',
];

function ours(text: string): { ok: true; value: unknown } | { ok: false; line: number } {
  try {
    return { ok: true, value: parseFrontmatterYaml(text) };
  } catch (error) {
    assert.ok(error instanceof FrontmatterYamlError, `a FrontmatterYamlError, not ${String(error)}`);
    return { ok: false, line: error.line };
  }
}

function reference(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: load(text) ?? null };
  } catch {
    return { ok: false };
  }
}

describe('frontmatter YAML reader', () => {
  for (const text of SAME_AS_YAML) {
    it(`reads ${JSON.stringify(text)} as js-yaml does`, () => {
      const expected = reference(text);
      assert.ok(expected.ok, 'the case is valid YAML');
      const actual = ours(text);
      assert.ok(actual.ok, `read, not rejected (line ${'line' in actual ? actual.line : ''})`);
      assert.deepEqual(actual.value, expected.value);
    });
  }

  for (const text of BOTH_REJECT) {
    it(`rejects ${JSON.stringify(text)} as js-yaml does`, () => {
      assert.equal(reference(text).ok, false, 'js-yaml rejects it');
      const actual = ours(text);
      assert.equal(actual.ok, false);
      assert.ok(!actual.ok && actual.line >= 0 && actual.line < text.split('\n').length, 'with a line inside the text');
    });
  }

  for (const text of ONLY_WE_REJECT) {
    it(`rejects ${JSON.stringify(text)} (valid YAML it does not read) with a line`, () => {
      assert.equal(reference(text).ok, true, 'js-yaml reads it');
      const actual = ours(text);
      assert.equal(actual.ok, false);
    });
  }

  it('reads a frontmatter of only comments as no fields (js-yaml 5 called it "not valid YAML: expected a document")', () => {
    assert.equal(parseFrontmatterYaml(''), null);
    assert.equal(parseFrontmatterYaml('# generated by a tool\n\n# nothing else'), null);
    assert.deepEqual(parseFrontmatter('---\n# nothing yet\n---\nbody'), { body: 'body', data: {} });
  });

  it('does not let a "__proto__" key set the prototype', () => {
    const value = parseFrontmatterYaml('__proto__:\n  polluted: true') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(value), ['__proto__']);
  });

  it('refuses nesting deeper than frontmatter needs instead of recursing without bound', () => {
    const deep = Array.from({ length: 5000 }, (_, k) => `${' '.repeat(k)}k${k}:`).join('\n');
    assert.equal(ours(deep).ok, false);
  });

  it('reports the line of the problem in the file, after the opening "---"', () => {
    const fm = parseFrontmatter('---\ndescription: fine\nglobs: "**/*.py\nalwaysApply: true\n---\nbody');
    assert.equal(fm.problem?.line, 2);
    assert.match(fm.problem!.message, /^The frontmatter is not valid YAML: a quoted value that is not closed on its line/);
    const dup = parseFrontmatter('---\nglobs: a\nglobs: b\n---\nx');
    assert.equal(dup.problem?.line, 2);
    assert.match(dup.problem!.message, /duplicated mapping key "globs"/);
  });

  it('gives real rule files their scope', () => {
    const cursor = parseRule('.cursor/rules/api.mdc', '---\ndescription: API handlers\nglobs: src/api/**/*.ts, src/routes/*.ts\nalwaysApply: false\n---\n\n- Validate input with zod\n', 'cursor');
    assert.deepEqual(cursor.scope, { kind: 'globs', globs: ['src/api/**/*.ts', 'src/routes/*.ts'] });
    assert.equal(cursor.body, '- Validate input with zod');
    const copilot = parseRule('.github/instructions/py.instructions.md', '---\napplyTo: "**/*.py,**/*.pyi"\n---\nUse type hints.', 'copilotInstructions');
    assert.deepEqual(copilot.scope, { kind: 'globs', globs: ['**/*.py', '**/*.pyi'] });
    const cline = parseRule('.clinerules/docs.md', '---\npaths:\n  - "docs/**"\n  - "*.md" # markdown\n---\nWrite short sentences.', 'cline');
    assert.deepEqual(cline.scope, { kind: 'globs', globs: ['docs/**', '*.md'] });
    // Cursor accepts `globs: *.ts` unquoted (YAML would read an alias): so do we, for the globs key, lists too.
    const unquotedStar = parseRule('.cursor/rules/ts.mdc', '---\nglobs: *.ts\n---\nx', 'cursor');
    assert.deepEqual(unquotedStar.scope, { kind: 'globs', globs: ['*.ts'] });
    assert.equal(unquotedStar.problem, undefined);
    const unquotedList = parseRule('.cursor/rules/ts.mdc', '---\nglobs: *.ts, *.tsx # TypeScript\nalwaysApply: false\n---\nx', 'cursor');
    assert.deepEqual(unquotedList.scope, { kind: 'globs', globs: ['*.ts', '*.tsx'] });
    // Any other key still says what YAML does not read.
    const alias = parseRule('.cursor/rules/ts.mdc', '---\ndescription: *anchor\n---\nx', 'cursor');
    assert.match(alias.problem!.message, /not valid YAML: anchors and aliases \("\*"\) are not supported \(quote the value\) The rule is not used until this is fixed\./);
  });
});

// Project rules: every format of the fixture workspace (valid, broken, nested, globbed) is found, parsed and applied
// to the right questions; broken frontmatter is reported, long files are cut with a note.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_RULE_CHARS, questionFileOf, readRules, rulesInEffect, rulesSystemText, systemWithRules, type RuleFile } from '../../src/core/context/rules';
import { parseFrontmatter, ruleFormatOf } from '../../src/core/context/rulesFormat';
import { filesOfConversation } from '../../src/core/context/questionFiles';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'rules-workspace');

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

function fixtureFiles(): RuleFile[] {
  return walk(FIXTURE).filter((rel) => ruleFormatOf(rel)).map((relPath) => ({ folder: 'ws', relPath, text: fs.readFileSync(path.join(FIXTURE, relPath), 'utf8') }));
}

const marker = (text: string) => [...text.matchAll(/RULE-[A-Z0-9-]+/g)].map((m) => m[0]).sort();
const file = (relPath: string) => ({ folder: 'ws', relPath });

describe('rule discovery', () => {
  it('recognises every format and nothing else', () => {
    const formats = Object.fromEntries(walk(FIXTURE).map((rel) => [rel, ruleFormatOf(rel)]));
    assert.equal(formats['AGENTS.md'], 'agents');
    assert.equal(formats['packages/api/AGENTS.md'], 'agents');
    assert.equal(formats['CLAUDE.md'], 'claude');
    assert.equal(formats['CLAUDE.local.md'], 'claude');
    assert.equal(formats['.claude/CLAUDE.md'], 'claude');
    assert.equal(formats['.github/copilot-instructions.md'], 'copilot');
    assert.equal(formats['.github/instructions/typescript.instructions.md'], 'copilotInstructions');
    assert.equal(formats['.cursor/rules/react.mdc'], 'cursor');
    assert.equal(formats['.cursorrules'], 'cursorLegacy');
    assert.equal(formats['.windsurfrules'], 'windsurf');
    assert.equal(formats['.clinerules/01-style.md'], 'cline');
    assert.equal(formats['.roo/rules/general.txt'], 'roo');
    assert.equal(formats['.continue/rules/go.md'], 'continue');
    assert.equal(formats['vendor/dep/AGENTS.md'], undefined, 'dependencies are not the project');
    assert.equal(formats['src/index.ts'], undefined);
    assert.equal(formats['README.txt'], undefined);
    assert.equal(ruleFormatOf('.clinerules'), 'cline', '.clinerules may be a single file');
  });

  it('reads each rule with its scope, and reports broken frontmatter with its line', () => {
    const rules = readRules(fixtureFiles());
    const byPath = Object.fromEntries(rules.map((r) => [r.relPath, r]));
    assert.deepEqual(byPath['AGENTS.md'].scope, { kind: 'always' });
    assert.deepEqual(byPath['packages/api/AGENTS.md'].scope, { kind: 'folder', dir: 'packages/api' });
    assert.deepEqual(byPath['.github/instructions/typescript.instructions.md'].scope, { kind: 'globs', globs: ['**/*.ts'] });
    assert.deepEqual(byPath['.github/instructions/all.instructions.md'].scope, { kind: 'always' });
    assert.deepEqual(byPath['.cursor/rules/always.mdc'].scope, { kind: 'always' });
    assert.deepEqual(byPath['.cursor/rules/react.mdc'].scope, { kind: 'globs', globs: ['src/**/*.tsx', '*.jsx'] });
    assert.deepEqual(byPath['.cursor/rules/database.mdc'].scope, { kind: 'onRequest', description: 'Database migrations and schema conventions' });
    assert.deepEqual(byPath['.cursor/rules/manual.mdc'].scope, { kind: 'manual' });
    assert.deepEqual(byPath['.clinerules/docs.md'].scope, { kind: 'globs', globs: ['docs/**'] });
    assert.deepEqual(byPath['.continue/rules/go.md'].scope, { kind: 'globs', globs: ['**/*.go'] });
    assert.deepEqual(byPath['.continue/rules/always.md'].scope, { kind: 'always' });
    assert.equal(byPath['.cursor/rules/react.mdc'].body, 'RULE-CURSOR-REACT', 'the frontmatter is not sent');

    const broken = rules.filter((r) => r.problem).map((r) => r.relPath).sort();
    assert.deepEqual(broken, ['.cursor/rules/broken.mdc', '.github/instructions/broken.instructions.md']);
    for (const rule of rules.filter((r) => r.problem)) {
      assert.match(rule.problem!.message, /not valid YAML/);
      assert.match(rule.problem!.message, /not used until this is fixed/);
      assert.equal(rule.problem!.line, 1, 'the line of the broken YAML, counted in the file');
      assert.deepEqual(rule.scope, { kind: 'manual' });
    }
    assert.ok(rules.every((r) => r.tokens > 0));
    assert.equal(rules[0].relPath, 'AGENTS.md', 'AGENTS.md goes first');
  });

  it('applies always-rules to every question, nested and glob rules only to matching files', () => {
    const rules = readRules(fixtureFiles());
    const none = marker(rulesSystemText(rulesInEffect(rules, [])));
    assert.deepEqual(none, [
      'RULE-AGENTS-ROOT', 'RULE-CLAUDE-DIR', 'RULE-CLAUDE-LOCAL', 'RULE-CLAUDE-ROOT', 'RULE-CLINE-1', 'RULE-CONTINUE-ALWAYS', 'RULE-COPILOT',
      'RULE-COPILOT-ALL', 'RULE-CURSOR-ALWAYS', 'RULE-CURSORRULES', 'RULE-ROO', 'RULE-WINDSURF',
    ]);
    const nested = marker(rulesSystemText(rulesInEffect(rules, [file('packages/api/src/handler.ts')])));
    assert.ok(nested.includes('RULE-AGENTS-NESTED'));
    assert.ok(nested.includes('RULE-COPILOT-TS'), '**/*.ts matches a .ts file at any depth');
    assert.ok(!nested.includes('RULE-CURSOR-REACT'));
    assert.ok(!marker(rulesSystemText(rulesInEffect(rules, [file('packages/apiary/x.ts')]))).includes('RULE-AGENTS-NESTED'), 'a sibling folder with the same prefix is not under it');
    const react = marker(rulesSystemText(rulesInEffect(rules, [file('src/ui/Button.tsx')])));
    assert.ok(react.includes('RULE-CURSOR-REACT'));
    assert.ok(marker(rulesSystemText(rulesInEffect(rules, [file('lib/deep/old.jsx')]))).includes('RULE-CURSOR-REACT'), 'a glob without a slash matches the name at any depth');
    assert.ok(marker(rulesSystemText(rulesInEffect(rules, [file('docs/guide.md')]))).includes('RULE-CLINE-DOCS'));
    assert.ok(marker(rulesSystemText(rulesInEffect(rules, [file('cmd/main.go')]))).includes('RULE-CONTINUE-GO'));
    assert.ok(!marker(rulesSystemText(rulesInEffect(rules, [{ folder: 'other', relPath: 'cmd/main.go' }]))).includes('RULE-CONTINUE-GO'), 'a rule applies in its own folder only');
    const all = rulesSystemText(rulesInEffect(rules, [file('a.py')]));
    for (const never of ['RULE-CURSOR-BROKEN', 'RULE-COPILOT-BROKEN', 'RULE-CURSOR-MANUAL', 'RULE-CURSOR-DB', 'RULE-IN-NODE-MODULES']) assert.ok(!all.includes(never), never);
    assert.match(all, /- \.cursor\/rules\/database\.mdc: Database migrations and schema conventions/, 'agent-requested rules are listed by description');
  });

  it('leaves out the rules switched off for the workspace', () => {
    const rules = readRules(fixtureFiles());
    const text = rulesSystemText(rulesInEffect(rules, [], new Set(['ws/AGENTS.md', 'ws/.cursorrules'])));
    assert.ok(!text.includes('RULE-AGENTS-ROOT'));
    assert.ok(!text.includes('RULE-CURSORRULES'));
    assert.ok(text.includes('RULE-CLAUDE-ROOT'));
  });

  it('puts the rules after the system prompt, and nothing when there are none', () => {
    assert.equal(systemWithRules('You are helpful.', ''), 'You are helpful.');
    const text = rulesSystemText(readRules([{ folder: 'ws', relPath: 'AGENTS.md', text: 'Use tabs.' }]));
    const system = systemWithRules('You are helpful.', text);
    assert.ok(system.startsWith('You are helpful.\n\n<project_rules>'));
    assert.ok(system.includes('## AGENTS.md\n\nUse tabs.'));
    assert.ok(system.endsWith('</project_rules>'));
    assert.equal(rulesSystemText([]), '');
  });

  it('cuts a file over the size cap at a line end, with a note', () => {
    const line = 'Keep functions small and name them after what they do.\n';
    const text = line.repeat(Math.ceil((MAX_RULE_CHARS * 2) / line.length));
    const [rule] = readRules([{ folder: 'ws', relPath: 'AGENTS.md', text }]);
    assert.equal(rule.cutFrom, text.trim().length);
    assert.ok(rule.body.length < MAX_RULE_CHARS + 200);
    assert.match(rule.body, /Keep functions small and name them after what they do\.\n\n\[This file has [\d,]+ characters; only the first 40,000 are included\.\]$/);
  });

  it('labels rules by file name, by path when two share a name, with the folder in a multi-root workspace', () => {
    const rules = readRules([
      { folder: 'a', relPath: 'AGENTS.md', text: 'x' },
      { folder: 'b', relPath: 'AGENTS.md', text: 'y' },
      { folder: 'a', relPath: '.github/copilot-instructions.md', text: 'z' },
    ]);
    assert.deepEqual(rules.map((r) => r.label), ['a/AGENTS.md', 'b/AGENTS.md', 'copilot-instructions.md']);
    assert.match(rulesSystemText(rules), /## b\/AGENTS\.md/);
    assert.deepEqual(questionFileOf('b/src/x.ts', ['a', 'b']), { folder: 'b', relPath: 'src/x.ts' });
    assert.deepEqual(questionFileOf('src/x.ts', ['only']), { folder: 'only', relPath: 'src/x.ts' });
    assert.equal(questionFileOf('c/x.ts', ['a', 'b']), undefined);
  });
});

describe('frontmatter', () => {
  it('parses YAML, reports an unclosed block, a non-object, a wrong type, and keeps files without frontmatter whole', () => {
    assert.deepEqual(parseFrontmatter('---\nglobs: ["a", "b"]\nalwaysApply: false\n---\nbody').data, { globs: ['a', 'b'], alwaysApply: false });
    assert.equal(parseFrontmatter('---\nglobs: a\n---\r\nbody\n').body, 'body\n');
    assert.match(parseFrontmatter('---\nglobs: a\nbody').problem!.message, /no closing "---"/);
    assert.match(parseFrontmatter('---\n- a\n- b\n---\nx').problem!.message, /key: value/);
    assert.equal(parseFrontmatter('# Title\n---\nnot frontmatter').data, undefined);
    assert.equal(parseFrontmatter('# Title\n---\nnot frontmatter').problem, undefined);
    const [wrongType] = readRules([{ folder: 'ws', relPath: '.cursor/rules/x.mdc', text: '---\nalwaysApply: "yes"\n---\nX' }]);
    assert.match(wrongType.problem!.message, /"alwaysApply" should be true or false/);
    const [dup] = readRules([{ folder: 'ws', relPath: '.cursor/rules/y.mdc', text: '---\nglobs: a\nglobs: b\n---\nX' }]);
    assert.ok(dup.problem, 'a duplicate key is an error, not a silent last-wins');
  });
});

describe('files of a conversation', () => {
  it('collects attached files and the paths the tools were called with', () => {
    const exchanges = [{
      user: { id: 'u', role: 'user', text: 'q', context: [
        { id: 'c1', kind: 'selection', languageId: 'ts', path: 'src/a.ts', text: 'x' },
        { id: 'c2', kind: 'problems', languageId: 'text', path: 'the workspace', text: 'x' },
        { id: 'c3', kind: 'file', languageId: 'ts', path: 'src/dropped.ts', text: 'x', omitted: true },
      ], images: [] },
      answer: { id: 'a', status: 'done', messages: [{ complete: true, content: [
        { type: 'text', text: 'reading' },
        { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'packages/api/src/handler.ts' } },
        { type: 'tool_use', id: 't2', name: 'find_files', input: { pattern: '**/*.go' } },
      ] }] },
    }] as unknown as Parameters<typeof filesOfConversation>[0];
    assert.deepEqual(filesOfConversation(exchanges), ['src/a.ts', 'packages/api/src/handler.ts']);
  });
});

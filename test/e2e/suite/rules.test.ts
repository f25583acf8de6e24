// In-host tests of project rules (issue 18 §1) in code-server's real extension host: the fixture workspace's rule files
// (every format: valid, broken, nested, globbed) are copied into the test workspace, and the simulator's recorded
// requests show which rules reached the system prompt of the chat, Ask About Selection and Explain Inline, that the
// vscode.lm provider sends none, that broken frontmatter is in the Problems panel, that a change on disk applies to
// the next question, and that the toggle and the setting switch rules off.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { activate, enqueue, resetSim, setSetting, simRequests, until } from './support';

interface RecordedRequest {
  body: { system?: string | { type: string; text: string; cache_control?: unknown }[] };
}

const FIXTURE = process.env.FASTROUTER_RULES_FIXTURE ?? path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'rules-workspace');

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, base) : [path.relative(base, full)];
  });
}

const systemText = (request: RecordedRequest): string => {
  const system = request.body.system;
  return typeof system === 'string' ? system : (system ?? []).map((b) => b.text).join('');
};
const lastSystem = async (): Promise<string> => {
  const requests = await simRequests<RecordedRequest>();
  return systemText(requests[requests.length - 1]!);
};

suite('Project rules', () => {
  let api: ExtensionApi;
  let workspace: string;
  let copied: string[] = [];
  let folder: string;

  const ask = async (text: string, context: { path: string; text: string }[] = []) => {
    await enqueue({ text: 'Noted.' });
    await api.chat.ask({ text, context: context.map((c, i) => ({ id: `c${i}`, kind: 'selection', languageId: 'typescript', path: c.path, text: c.text, startLine: 1, endLine: 1 })) });
    await api.chat.idle();
  };
  /** Waits until the rules the host would send now include (or lack) `marker`: the watcher has seen a change on disk. */
  const rulesSay = (marker: string, present = true) =>
    until(`the rules to ${present ? '' : 'no longer '}say ${marker}`, async () => (await api.rules.forQuestion([])).text.includes(marker) === present);

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    workspace = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    folder = vscode.workspace.workspaceFolders![0]!.name;
    copied = walk(FIXTURE).filter((rel) => rel !== 'README.txt');
    for (const rel of copied) {
      fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      fs.copyFileSync(path.join(FIXTURE, rel), path.join(workspace, rel));
    }
    await rulesSay('RULE-AGENTS-ROOT');
  });

  suiteTeardown(async () => {
    for (const rel of copied) fs.rmSync(path.join(workspace, rel), { force: true });
    for (const dir of ['.claude', '.github', '.cursor', '.clinerules', '.roo', '.continue', 'packages', 'vendor']) fs.rmSync(path.join(workspace, dir), { recursive: true, force: true });
    await setSetting('rules.enabled', undefined);
    // The other suites expect the bare system prompt: wait until the watcher has seen the files go.
    await until('no rules left', async () => (await api.rules.all()).length === 0);
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await vscode.commands.executeCommand('fastrouter.newChat');
    await resetSim();
  });

  test('a chat question sends the always-rules after the system prompt, in the cached system block; not nested, globbed, manual or broken ones', async () => {
    await ask('How do I build this?');
    const requests = await simRequests<RecordedRequest>();
    const system = requests[0]!.body.system;
    assert.ok(Array.isArray(system) && system.length === 1, 'one system block');
    assert.deepEqual(system[0].cache_control, { type: 'ephemeral' }, 'the rules are inside the cached prefix');
    const text = system[0].text;
    assert.ok(text.startsWith(`${api.settings.current.systemPrompt}\n\n<project_rules>`), 'after fastrouter.systemPrompt');
    for (const marker of ['RULE-AGENTS-ROOT', 'RULE-CLAUDE-ROOT', 'RULE-CLAUDE-LOCAL', 'RULE-CLAUDE-DIR', 'RULE-COPILOT', 'RULE-COPILOT-ALL', 'RULE-CURSOR-ALWAYS', 'RULE-CURSORRULES', 'RULE-WINDSURF', 'RULE-CLINE-1', 'RULE-ROO', 'RULE-CONTINUE-ALWAYS']) {
      assert.ok(text.includes(marker), marker);
    }
    for (const marker of ['RULE-AGENTS-NESTED', 'RULE-COPILOT-TS', 'RULE-CURSOR-REACT', 'RULE-CURSOR-MANUAL', 'RULE-CURSOR-BROKEN', 'RULE-COPILOT-BROKEN', 'RULE-IN-NODE-MODULES', 'RULE-CONTINUE-GO']) {
      assert.ok(!text.includes(marker), `${marker} is not sent`);
    }
    assert.ok(text.includes('.cursor/rules/database.mdc: Database migrations'), 'an agent-requested rule is listed by its description');
  });

  test('a selection in a nested package brings its AGENTS.md and the **/*.ts instructions; the rules line names them', async () => {
    await ask('What does this do?', [{ path: 'packages/api/src/handler.ts', text: 'export const handler = 1;' }]);
    const text = await lastSystem();
    assert.ok(text.includes('RULE-AGENTS-NESTED'));
    assert.ok(text.includes('RULE-COPILOT-TS'));
    assert.ok(text.includes('(applies to files under packages/api/)'));
    await api.chat.rulesSettled();
    const line = await until('the rules line with the nested rule', () => api.chat.rulesLine.some((r) => r.path === 'packages/api/AGENTS.md') && api.chat.rulesLine);
    assert.equal(line[0]!.label, 'AGENTS.md', 'the root AGENTS.md first');
    assert.ok(line.every((r) => r.tokens > 0));
    const broken = line.filter((r) => r.problem).map((r) => r.path).sort();
    assert.deepEqual(broken, ['.cursor/rules/broken.mdc', '.github/instructions/broken.instructions.md'], 'broken rules are shown, not skipped silently');
    assert.ok(line.filter((r) => r.problem).every((r) => !r.enabled));
  });

  test('broken frontmatter is reported in the Problems panel on its line', async () => {
    await api.rules.all();
    const uri = vscode.Uri.file(path.join(workspace, '.cursor', 'rules', 'broken.mdc'));
    const diagnostics = await until('a diagnostic on broken.mdc', () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'FastRouter rules');
      return found.length > 0 && found;
    });
    assert.match(diagnostics[0]!.message, /not valid YAML/);
    assert.equal(diagnostics[0]!.range.start.line, 1);
    assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Warning);
  });

  test('Explain Inline sends the rules for its file; the vscode.lm provider sends none', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace, 'packages', 'api', 'src', 'handler.ts')));
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, 10);
    await enqueue({ text: 'A handler.' });
    const result = await vscode.commands.executeCommand<{ status: string }>('fastrouter.explainInline');
    assert.equal(result.status, 'done');
    const inline = await lastSystem();
    assert.ok(inline.includes('RULE-AGENTS-ROOT') && inline.includes('RULE-AGENTS-NESTED'), 'inline uses the rules, nested ones for its file');
    assert.ok(inline.indexOf('small comment box') < inline.indexOf('<project_rules>'), 'after the inline system prompt');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    const [model] = await vscode.lm.selectChatModels({ vendor: 'fastrouter' });
    await enqueue({ text: 'Hi.' });
    const response = await model!.sendRequest([vscode.LanguageModelChatMessage.User('Hello')], { justification: 'FastRouter Chat tests' });
    for await (const part of response.stream) void part;
    assert.ok(!(await lastSystem()).includes('project_rules'), 'the provider\'s caller brings its own system prompt');
  });

  test('a change on disk applies to the next question without a reload', async () => {
    const file = path.join(workspace, 'AGENTS.md');
    const before = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, '# Project\n\nRULE-CHANGED-ON-DISK\n');
      await rulesSay('RULE-CHANGED-ON-DISK');
      await ask('And now?');
      const text = await lastSystem();
      assert.ok(text.includes('RULE-CHANGED-ON-DISK'));
      assert.ok(!text.includes('RULE-AGENTS-ROOT'));
    } finally {
      fs.writeFileSync(file, before);
      await rulesSay('RULE-AGENTS-ROOT');
    }
  });

  test('the toggle switches a rule off for this workspace, and back on', async () => {
    const id = `${folder}/CLAUDE.md`;
    await api.chat.receiveFromWebview({ type: 'toggleRule', id, enabled: false });
    try {
      await ask('Without CLAUDE.md?');
      assert.ok(!(await lastSystem()).includes('RULE-CLAUDE-ROOT'));
      assert.ok((await lastSystem()).includes('RULE-AGENTS-ROOT'));
      const line = await until('the rules line showing it off', () => api.chat.rulesLine.find((r) => r.id === id && !r.enabled));
      assert.equal(line.label, 'CLAUDE.md');
    } finally {
      await api.chat.receiveFromWebview({ type: 'toggleRule', id, enabled: true });
    }
    await resetSim();
    await ask('With it again?');
    assert.ok((await lastSystem()).includes('RULE-CLAUDE-ROOT'));
  });

  test('fastrouter.rules.enabled: false sends no rules and hides the line', async () => {
    await setSetting('rules.enabled', false);
    try {
      await until('the setting to apply', () => !api.rules.active);
      await ask('No rules?');
      const requests = await simRequests<RecordedRequest>();
      assert.equal(systemText(requests[0]!), api.settings.current.systemPrompt);
      await until('an empty rules line', async () => {
        await api.chat.rulesSettled();
        return api.chat.rulesLine.length === 0;
      });
    } finally {
      await setSetting('rules.enabled', undefined);
    }
    await until('the setting to apply again', () => api.rules.active);
  });
});

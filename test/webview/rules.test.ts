// The rules line above the composer in Chromium: "Rules: AGENTS.md, copilot-instructions.md · 1.2k tokens", each name
// opens its file, each checkbox switches the rule for this workspace, broken and switched-off rules show as such.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySnapshot, useHarness } from './harness';

describe('chat webview: rules line', () => {
  const harness = useHarness();

  test('names the rules in effect with their tokens; Open and the toggle post to the host; hidden without rules', async () => {
    const chat = await harness.open(emptySnapshot());
    const line = chat.page.locator('#rules-line');
    assert.equal(await line.isVisible(), false, 'no rules, no line');
    await chat.send({
      type: 'rules',
      rules: [
        { id: 'ws/AGENTS.md', label: 'AGENTS.md', path: 'AGENTS.md', tokens: 700, enabled: true, scope: 'every question' },
        { id: 'ws/.github/copilot-instructions.md', label: 'copilot-instructions.md', path: '.github/copilot-instructions.md', tokens: 500, enabled: true, scope: 'every question' },
        { id: 'ws/CLAUDE.md', label: 'CLAUDE.md', path: 'CLAUDE.md', tokens: 300, enabled: false, scope: 'every question' },
        { id: 'ws/.cursor/rules/broken.mdc', label: 'broken.mdc', path: '.cursor/rules/broken.mdc', tokens: 9, enabled: false, scope: 'not applied', problem: 'The frontmatter is not valid YAML: x. The rule is not used until this is fixed.' },
      ],
    });
    assert.ok(await line.isVisible());
    assert.equal((await line.innerText()).replace(/\s+/g, ' ').trim(), 'Rules: AGENTS.md, copilot-instructions.md, CLAUDE.md, ⚠ broken.mdc · 1.2k tokens');
    assert.equal(await chat.page.locator('.rule-chip[data-state="off"] .rule-open').innerText(), 'CLAUDE.md');
    assert.match((await chat.page.locator('.rule-chip[data-state="broken"] .rule-open').getAttribute('title'))!, /not valid YAML/);
    assert.equal(await chat.page.locator('.rule-chip[data-state="broken"] input').isDisabled(), true, 'a broken rule cannot be switched on');

    await chat.clearPosted();
    await chat.page.locator('.rule-open', { hasText: 'copilot-instructions.md' }).click();
    await chat.page.getByRole('checkbox', { name: 'Use AGENTS.md in this workspace' }).uncheck();
    await chat.page.getByRole('checkbox', { name: 'Use CLAUDE.md in this workspace' }).check();
    assert.deepEqual(await chat.posted(), [
      { type: 'openRule', id: 'ws/.github/copilot-instructions.md' },
      { type: 'toggleRule', id: 'ws/AGENTS.md', enabled: false },
      { type: 'toggleRule', id: 'ws/CLAUDE.md', enabled: true },
    ]);
    await chat.send({ type: 'rules', rules: [] });
    assert.equal(await line.isVisible(), false);
    await chat.close();
  });
});

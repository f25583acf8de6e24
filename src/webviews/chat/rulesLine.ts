// The rules line above the composer: "Rules: AGENTS.md, copilot-instructions.md · 1.2k tokens". Each name opens its
// file; each checkbox switches the rule on or off for this workspace. Broken rules show with a warning (never skipped
// silently). Hidden when the workspace has no rules (or they are off).
import { formatTokenCount } from '../../common/tokenCount';
import type { RuleChip } from '../../common/chatTypes';
import type { WebviewToHost } from '../../common/protocol';
import { h } from '../common/dom';

export class RulesLine {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly total: HTMLElement;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.list = h('ul', { class: 'rules-list' });
    this.total = h('span', { class: 'rules-tokens' });
    this.element = h('div', { id: 'rules-line', class: 'rules-line', role: 'group', 'aria-label': 'Project rules sent with the next question', hidden: true },
      h('span', { class: 'rules-title' }, 'Rules:'), this.list, this.total);
    this.list.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const open = target.closest<HTMLButtonElement>('button.rule-open');
      if (open?.dataset.id) this.post({ type: 'openRule', id: open.dataset.id });
    });
    this.list.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      if (box.matches('input.rule-toggle') && box.dataset.id) this.post({ type: 'toggleRule', id: box.dataset.id, enabled: box.checked });
    });
  }

  show(rules: readonly RuleChip[]): void {
    this.element.hidden = rules.length === 0;
    const items = rules.map((rule, i) => {
      const state = rule.problem ? 'broken' : rule.enabled ? 'on' : 'off';
      const tooltip = [
        rule.path,
        rule.problem ?? (rule.enabled ? `Applies to ${rule.scope}` : 'Switched off in this workspace'),
        `≈ ${formatTokenCount(rule.tokens)} tokens`,
        rule.cutFrom !== undefined ? `Cut: the file has ${rule.cutFrom.toLocaleString('en-US')} characters; only the first 40,000 are sent` : '',
        'Click to open',
      ].filter(Boolean).join('\n');
      const open = h('button', { type: 'button', class: 'rule-open', 'data-id': rule.id, title: tooltip }, `${rule.problem ? '⚠ ' : ''}${rule.label}${rule.cutFrom !== undefined ? ' (cut)' : ''}`);
      const toggle = h('input', {
        type: 'checkbox', class: 'rule-toggle', 'data-id': rule.id, checked: rule.enabled,
        disabled: rule.problem !== undefined,
        'aria-label': `Use ${rule.label} in this workspace`,
        title: rule.problem ? 'Fix the frontmatter to use this rule' : rule.enabled ? 'Switch off for this workspace' : 'Switch on for this workspace',
      });
      toggle.checked = rule.enabled;
      return h('li', { class: 'rule-chip', 'data-state': state }, toggle, open, i < rules.length - 1 ? ',' : '');
    });
    this.list.replaceChildren(...items);
    const tokens = rules.filter((r) => r.enabled).reduce((sum, r) => sum + r.tokens, 0);
    this.total.textContent = `· ${formatTokenCount(tokens)} tokens`;
  }
}

// A tool call the model made: a compact row ("Read src/a.ts:1–40", "Searched 'parseUrl' — 12 matches") that expands
// to show the input and what the model got back; a proposed change (edit_file, create_file) also gets a card with
// Apply / Reject / Show Diff, and once decided says "Applied" or "Rejected". A read that asks (a file that looks secret)
// gets Allow / Deny / Allow for this chat instead: nothing is applied, the user lets Claude see the file or not.
import type { AnswerBlock, ToolState } from '../../common/chatTypes';
import { button, h } from '../common/dom';

export type ToolUseBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;

/** A card's decision buttons (Apply / Run / Allow, Reject / Deny, Allow for this chat). */
export const DECISION_BUTTONS = 'button[data-action="toolApply"], button[data-action="toolReject"], button[data-action="toolAllowForChat"]';

const STATE_TEXT: Record<ToolState, string> = {
  pending: 'Waiting',
  running: 'Running…',
  approval: 'Waiting for your approval',
  done: 'Done',
  error: 'Failed',
  applied: 'Applied',
  rejected: 'Rejected',
};

/** A read (no change, no command): its card asks Allow / Deny, and a declined one says "Denied". */
export function isReadCall(block: ToolUseBlock): boolean {
  return !block.change && !block.command;
}

export function toolStateText(state: ToolState | undefined, block?: ToolUseBlock): string {
  if (state === 'rejected' && block && isReadCall(block)) return 'Denied';
  if (state === 'approval' && block && isReadCall(block)) return 'Waiting for you to allow it';
  return state ? STATE_TEXT[state] : '';
}

/** The row's title: the host's summary, or the tool's name for calls saved before tools had rows. */
export function toolTitle(block: ToolUseBlock): string {
  return block.summary ?? `Tool call: ${block.name}`;
}

/**
 * The row's title as a verb and what it acted on ("Edited" + "src/a/very/long/path.ts"): in a narrow sidebar the
 * second part gives way from its start (…long/path.ts), so the file name stays; the whole title is the tooltip.
 */
function renderTitle(title: string): HTMLElement {
  const space = title.indexOf(' ');
  if (space <= 0) return h('span', { class: 'tool-title', title }, title);
  return h('span', { class: 'tool-title', title },
    h('span', { class: 'tool-verb' }, title.slice(0, space + 1)),
    // Drawn right to left so the ellipsis takes the start; the bdi keeps the text itself left to right.
    h('span', { class: 'tool-target' }, h('bdi', {}, title.slice(space + 1))));
}

export function renderToolCall(block: ToolUseBlock, options: { open?: boolean } = {}): HTMLElement {
  const state = block.state;
  const busy = state === 'running' || state === 'pending';
  const summary = h('summary', { class: 'tool-row' },
    h('span', { class: 'tool-icon', 'aria-hidden': 'true' }),
    renderTitle(toolTitle(block)),
    block.change ? h('span', { class: 'tool-stat' }, h('span', { class: 'added' }, `+${block.change.added}`), ' ', h('span', { class: 'removed' }, `−${block.change.removed}`)) : null,
    state && state !== 'done' ? h('span', { class: 'tool-state' }, toolStateText(state, block)) : null,
  );
  const details = h('details', { class: 'tool-details', open: options.open === true },
    summary,
    h('div', { class: 'tool-io' },
      h('div', { class: 'tool-io-label' }, `Input (${block.name})`),
      h('pre', { tabindex: '0' }, h('code', {}, block.input)),
      block.output !== undefined && block.result === undefined ? h('div', { class: 'tool-io-label' }, 'Output so far') : null,
      block.output !== undefined && block.result === undefined ? h('pre', { class: 'tool-output', tabindex: '0' }, h('code', {}, block.output)) : null,
      block.result !== undefined ? h('div', { class: 'tool-io-label' }, 'Result') : null,
      block.result !== undefined ? h('pre', { class: 'tool-result', tabindex: '0' }, h('code', {}, block.result)) : null,
    ),
  );
  const element = h('div', {
    class: 'tool-use tool-call',
    'data-tool-state': state ?? 'unknown',
    'data-tool-name': block.name,
    ...(block.id ? { 'data-tool-id': block.id } : {}),
    'aria-busy': busy ? 'true' : undefined,
  }, details);
  if (block.command && state === 'approval') element.append(renderCommandCard(block, block.command));
  else if (block.change || state === 'approval') element.append(renderCard(block));
  return element;
}

const VERDICT_TEXT = { allow: 'allowed', deny: 'denied', ask: 'asks' } as const;

/** run_command's card: the command, its parts with the rule each matched, Run / Reject (neither focused nor default). */
function renderCommandCard(block: ToolUseBlock, command: NonNullable<ToolUseBlock['command']>): HTMLElement {
  const card = h('div', { class: 'tool-card command-card', role: 'group', 'aria-label': `Run a command: ${toolStateText(block.state)}` },
    h('div', { class: 'tool-card-head' }, h('span', {}, command.cwd ? `Run in ${command.cwd}:` : 'Run in the workspace folder:')),
    h('pre', { class: 'command-line', tabindex: '0' }, h('code', {}, command.command)),
  );
  if (command.parts.length > 1 || command.parts.some((p) => p.rule)) {
    card.append(h('ul', { class: 'command-parts', 'aria-label': 'Parts of the command' },
      ...command.parts.map((part) => h('li', { class: 'command-part', 'data-verdict': part.verdict },
        h('code', {}, part.text || '(empty)'),
        ' ',
        h('span', { class: 'command-rule' }, part.rule ? `${VERDICT_TEXT[part.verdict]} by rule "${part.rule}"` : 'no rule'),
        part.reasons.filter((r) => r !== 'no rule allows it').length > 0 ? h('span', { class: 'command-reasons' }, ` — ${part.reasons.filter((r) => r !== 'no rule allows it').join('; ')}`) : null,
      )),
    ));
  }
  if (command.reasons.length > 0) card.append(h('div', { class: 'tool-card-reason' }, `Always asks: ${command.reasons.join('; ')}`));
  card.append(h('div', { class: 'tool-card-actions' },
    button('Run', { 'data-action': 'toolApply', class: 'primary' }),
    button('Reject', { 'data-action': 'toolReject' }),
  ));
  return card;
}

/**
 * The card's text with a line-break opportunity after each "/" (and "\\"): in a narrow sidebar the path the user is
 * approving stays whole and breaks between folders, not inside a name.
 */
function breakAfterSlashes(text: string): Array<string | HTMLElement> {
  return text.split(/(?<=[/\\])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}

/** The approval card: what would change, and the decision buttons while it waits (none is focused or default). */
function renderCard(block: ToolUseBlock): HTMLElement {
  const change = block.change;
  const what = change ? `${change.create ? 'New file' : 'Change to'} ${change.path}` : toolTitle(block);
  const card = h('div', { class: 'tool-card', role: 'group', 'aria-label': `${what}: ${toolStateText(block.state, block)}` },
    h('div', { class: 'tool-card-head' },
      h('span', { class: 'tool-card-path' }, ...breakAfterSlashes(what)),
      change ? h('span', { class: 'tool-stat' }, h('span', { class: 'added' }, `+${change.added}`), ' ', h('span', { class: 'removed' }, `−${change.removed}`)) : null,
    ),
  );
  if (block.reason) card.append(h('div', { class: 'tool-card-reason' }, block.reason));
  if (block.state === 'approval' && isReadCall(block)) {
    // Deny sends Claude "declined"; Allow for this chat also lets later reads of this same file through unasked.
    card.append(h('div', { class: 'tool-card-actions' },
      button('Allow', { 'data-action': 'toolApply', class: 'primary' }),
      button('Deny', { 'data-action': 'toolReject' }),
      button('Allow for this chat', { 'data-action': 'toolAllowForChat', title: 'Allow reading this file again in this chat without asking (until the window reloads)' }),
    ));
  } else if (block.state === 'approval') {
    card.append(h('div', { class: 'tool-card-actions' },
      button('Apply', { 'data-action': 'toolApply', class: 'primary' }),
      button('Reject', { 'data-action': 'toolReject' }),
      change ? button('Show Diff', { 'data-action': 'toolDiff' }) : null,
    ));
  } else if (block.state === 'applied' || block.state === 'rejected') {
    card.append(h('div', { class: 'tool-card-decision', 'data-decision': block.state }, toolStateText(block.state, block)));
  } else if (block.state) {
    card.append(h('div', { class: 'tool-card-decision' }, toolStateText(block.state, block)));
  }
  return card;
}

/**
 * When one answer proposes several changes: "3 edits to 2 files · +40 −12", with Apply All / Reject All while any of
 * them waits (each card still works on its own). Null for fewer than two.
 */
export function renderEditSummary(blocks: readonly ToolUseBlock[]): HTMLElement | null {
  const changes = blocks.filter((b) => b.change);
  if (changes.length < 2) return null;
  const files = new Set(changes.map((b) => b.change!.path)).size;
  const added = changes.reduce((sum, b) => sum + b.change!.added, 0);
  const removed = changes.reduce((sum, b) => sum + b.change!.removed, 0);
  const waiting = changes.filter((b) => b.state === 'approval').length;
  const text = `${changes.length} edits to ${files} file${files === 1 ? '' : 's'}`;
  return h('div', { class: 'tool-summary', role: 'group', 'aria-label': `${text}, ${waiting} waiting` },
    h('span', { class: 'tool-summary-text' }, text, ' · ', h('span', { class: 'added' }, `+${added}`), ' ', h('span', { class: 'removed' }, `−${removed}`)),
    waiting > 0
      ? h('div', { class: 'tool-card-actions' },
        button('Apply All', { 'data-action': 'toolApplyAll', class: 'primary' }),
        button('Reject All', { 'data-action': 'toolRejectAll' }))
      : null,
  );
}

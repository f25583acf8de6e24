// The rules line above the composer: which project rules the next question would use, refreshed one at a time.
import type * as vscode from 'vscode';
import type { RuleChip } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import type { ProjectRules } from '../context/projectRules';

export interface RulesLineDeps {
  rules?: ProjectRules;
  /** The files the next question is about (for glob rules). */
  questionFiles?: () => string[];
  post(message: HostToWebview): boolean;
  /** The rules changed what the next request sends: the cost preview follows. */
  changed(): void;
  log: vscode.LogOutputChannel;
  /** True once the chat is gone: no more refreshes. */
  disposed(): boolean;
}

export class RulesLine {
  private refreshing: Promise<void> | undefined;
  private again = false;
  private last: RuleChip[] = [];

  constructor(private readonly deps: RulesLineDeps) {}

  /**
   * The rules line follows what the next question would use (the rule files, the toggles, the files of the conversation
   * and of the composer); the cost preview counts the rules too. Coalesced: one refresh at a time, one more after it.
   */
  refresh(): void {
    const rules = this.deps.rules;
    if (!rules || this.deps.disposed()) return;
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = (async () => {
      try {
        const files = this.deps.questionFiles?.() ?? [];
        const [chips] = await Promise.all([rules.chips(files), rules.forQuestion(files)]);
        this.last = chips;
        this.deps.post({ type: 'rules', rules: chips });
        this.deps.changed();
      } catch (error) {
        this.deps.log.warn(`Rules: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.refreshing = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      }
    })();
  }

  /** The rules line as last posted. */
  get chips(): RuleChip[] {
    return this.last;
  }

  /** Resolves when the rules line is up to date. */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }
}

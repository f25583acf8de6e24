// Every command of the host but Edit Selection's and the quick fixes' (registered with their feature). One line per id.
import * as vscode from 'vscode';
import type { ApiKeyStore } from './request/apiKey';
import { askAboutImage, type ChatAttach } from './editor/askAboutImage';
import { askAboutSelection, type AskArgs, type ChatAsk } from './editor/askAboutSelection';
import { resetCost, type CostTracker } from './cost/cost';
import type { CostView } from './cost/costView';
import type { InlineExplainer } from './inline/inlineExplain';
import type { ModelCatalog } from './models/modelCatalog';
import { selectModel } from './models/selectModel';
import type { SettingsService } from './request/settings';

export interface CommandServices {
  settings: SettingsService;
  apiKey: ApiKeyStore;
  cost: CostTracker;
  costView: CostView;
  chat: ChatAsk & ChatAttach & {
    notify(level: 'info' | 'error', message: string): boolean;
    addFiles(uris: readonly vscode.Uri[]): Promise<unknown>;
    addProblems(): Promise<unknown>;
    pickAndAddContext(): Promise<void>;
    openChat(): Promise<void>;
    newChatAndReveal(): Promise<void>;
    stop(): void;
    exportMarkdown(): Promise<unknown>;
    compact(): Promise<boolean>;
  };
  inline: InlineExplainer;
  models: ModelCatalog;
  log: vscode.LogOutputChannel;
}

export function registerCommands(s: CommandServices): vscode.Disposable[] {
  const command = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run);
  return [
    command('fastrouter.openChat', () => s.chat.openChat()),
    command('fastrouter.newChat', () => s.chat.newChatAndReveal()),
    command('fastrouter.stop', () => s.chat.stop()),
    command('fastrouter.exportChat', () => s.chat.exportMarkdown()),
    command('fastrouter.compact', () => s.chat.compact()),
    command('fastrouter.askAboutSelection', (args?: AskArgs) => askAboutSelection(s.chat, s.settings, args)),
    command('fastrouter.explainInline', () => s.inline.explain()),
    command('fastrouter.inline.stop', (thread?: vscode.CommentThread) => s.inline.stop(thread)),
    command('fastrouter.inline.dismiss', (thread?: vscode.CommentThread) => s.inline.dismiss(thread)),
    command('fastrouter.inline.continueInChat', (thread?: vscode.CommentThread) => s.inline.continueInChat(thread)),
    command('fastrouter.setApiKey', async () => {
      // Said where the user is looking: above the chat's input when the chat is open, else as a notification.
      if (await s.apiKey.promptAndStore()) s.chat.notify('info', vscode.l10n.t('FastRouter API key saved in the OS keychain.'));
    }),
    command('fastrouter.clearApiKey', async () => {
      await s.apiKey.clear();
      s.chat.notify('info', vscode.l10n.t('FastRouter API key removed.'));
    }),
    command('fastrouter.showCost', () => s.costView.show()),
    command('fastrouter.resetCost', () => resetCost(s.cost)),
    command('fastrouter.selectModel', (modelId?: unknown) => selectModel(s.models, modelId)),
    command('fastrouter.askAboutImage', (uri?: vscode.Uri, uris?: vscode.Uri[]) => askAboutImage(s.chat, uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : undefined)),
    command('fastrouter.showLog', () => s.log.show()),
    // Explorer (several selected files come as `uris`) and editor tab menus pass the file; the palette opens a pick.
    command('fastrouter.addFileToChat', (uri?: unknown, uris?: unknown) => {
      const chosen = Array.isArray(uris) && uris.length > 0 ? uris.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : uri instanceof vscode.Uri ? [uri] : [];
      return chosen.length > 0 ? s.chat.addFiles(chosen) : s.chat.pickAndAddContext();
    }),
    command('fastrouter.addProblemsToChat', () => s.chat.addProblems()),
  ];
}

// Select Model: a list of Claude models FastRouter serves, plus free entry; writes `fastrouter.model`.
import * as vscode from 'vscode';

export const KNOWN_MODELS: readonly { id: string; detail: string }[] = [
  { id: 'anthropic/claude-sonnet-4-20250514', detail: 'Claude Sonnet 4: balanced, strong at code (default)' },
  { id: 'anthropic/claude-opus-4-1-20250805', detail: 'Claude Opus 4.1: most capable, slower, costs more' },
  { id: 'anthropic/claude-opus-4-20250514', detail: 'Claude Opus 4' },
  { id: 'anthropic/claude-3-7-sonnet-20250219', detail: 'Claude Sonnet 3.7' },
  { id: 'anthropic/claude-3-5-sonnet-20241022', detail: 'Claude Sonnet 3.5' },
  { id: 'anthropic/claude-3-5-haiku-20241022', detail: 'Claude Haiku 3.5: fastest and cheapest' },
];

/** With a model id (e.g. from a keybinding's `args`) it switches at once; otherwise it asks. */
export async function selectModel(modelId?: unknown): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('fastrouter');
  if (typeof modelId === 'string' && modelId.trim() !== '') {
    await config.update('model', modelId.trim(), targetFor(config));
    return modelId.trim();
  }
  const current = config.get<string>('model');
  type Item = vscode.QuickPickItem & { model: string };
  const known: Item[] = KNOWN_MODELS.map((m) => ({
    label: m.id,
    detail: m.detail,
    description: m.id === current ? vscode.l10n.t('current') : undefined,
    model: m.id,
  }));
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = vscode.l10n.t('FastRouter: Select Model');
  pick.placeholder = vscode.l10n.t('Pick a model, or type any model id FastRouter serves');
  pick.items = known;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    const exists = known.some((item) => item.model === typed);
    pick.items = typed && !exists ? [{ label: typed, description: vscode.l10n.t('use this model id'), model: typed, alwaysShow: true }, ...known] : known;
  });
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.model);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (!chosen) return undefined;
  await config.update('model', chosen, targetFor(config));
  return chosen;
}

/** Keep the setting where the user has it: workspace if set there, else user settings. */
function targetFor(config: vscode.WorkspaceConfiguration): vscode.ConfigurationTarget {
  return config.inspect<string>('model')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

// Select Model: the Claude models of the endpoint's list (name, context length, price per million input/output
// tokens; the current one checked), plus "Enter a model id…" for anything else; writes `fastrouter.model`.
// Opening it fetches the list again; the pick shows the cached (or built-in) list meanwhile.
import * as vscode from 'vscode';
import { modelDetail } from '../../core/models/modelList';
import type { ModelInfo } from '../../core/models/modelCatalog';
import type { ModelCatalog } from './modelCatalog';

type Item = vscode.QuickPickItem & { model?: string; enterId?: true };

/** The pick's items: one per model, the current one checked (and listed even when the list lacks it), then free entry. */
export function modelItems(models: readonly ModelInfo[], current: string | undefined): Item[] {
  const items: Item[] = models.map((m) => ({
    label: m.id === current ? `$(check) ${m.name}` : m.name,
    description: m.id,
    detail: modelDetail(m),
    model: m.id,
  }));
  if (current && !models.some((m) => m.id === current)) {
    items.unshift({ label: `$(check) ${current}`, description: vscode.l10n.t('current, not in the endpoint\'s list'), model: current });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: `$(edit) ${vscode.l10n.t('Enter a model id…')}`, enterId: true, alwaysShow: true });
  return items;
}

/** With a model id (e.g. from a keybinding's `args`) it switches at once; otherwise it asks. */
export async function selectModel(catalog: ModelCatalog, modelId?: unknown): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('fastrouter');
  if (typeof modelId === 'string' && modelId.trim() !== '') {
    await config.update('model', modelId.trim(), targetFor(config));
    return modelId.trim();
  }
  const current = config.get<string>('model');
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = vscode.l10n.t('FastRouter: Select Model');
  pick.placeholder = vscode.l10n.t('Type to filter the Claude models (any other id: Enter a model id…)');
  pick.matchOnDescription = true;
  // Typed text only filters the models (the quick pick puts the best match first, so Enter picks it); it never becomes a
  // model id by itself: that comes from "Enter a model id…", which typed text matching no model leads to.
  let known = modelItems(catalog.models, current);
  const show = () => {
    pick.items = known;
    // The list is shown again when the fetched list arrives: keep the entry the user moved to, not just the current one.
    const kept = pick.activeItems[0]?.model;
    const active = known.find((item) => item.model === (kept ?? current));
    if (active && pick.value.trim() === '') pick.activeItems = [active];
  };
  show();
  // Fetched again on every opening; the items change in place when the new list arrives.
  pick.busy = true;
  let closed = false;
  void catalog.refresh().then(() => {
    if (closed) return;
    pick.busy = false;
    // Replace the items only when the list changed: replacing them resets where the user has moved to.
    const fresh = modelItems(catalog.models, current);
    if (JSON.stringify(fresh) === JSON.stringify(known)) return;
    known = fresh;
    show();
  });
  let typed = '';
  const chosen = await new Promise<Item | undefined>((resolve) => {
    pick.onDidAccept(() => {
      typed = pick.value.trim();
      resolve(pick.selectedItems[0] ?? pick.activeItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
    catalog.notePickShown();
  });
  closed = true;
  pick.dispose();
  let model = chosen?.model;
  if (chosen?.enterId) {
    model = (
      await vscode.window.showInputBox({
        title: vscode.l10n.t('FastRouter: Enter a Model Id'),
        prompt: vscode.l10n.t('Any model id the endpoint serves, e.g. anthropic/claude-sonnet-4-20250514'),
        // What was typed in the pick is where the id starts.
        value: typed || current,
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Enter a model id') : value.trim().length > 200 ? vscode.l10n.t('At most 200 characters') : undefined),
      })
    )?.trim();
  }
  if (!model) return undefined;
  await config.update('model', model, targetFor(config));
  return model;
}

/** Keep the setting where the user has it: workspace if set there, else user settings. */
function targetFor(config: vscode.WorkspaceConfiguration): vscode.ConfigurationTarget {
  return config.inspect<string>('model')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Services are registered by the host layer (src/host); nothing is awaited here.
}

export function deactivate(): void {}

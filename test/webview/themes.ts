// VS Code's default theme of each kind as a webview sees it: the `--vscode-*` variables VS Code sets on the page and
// the classes it puts on <body>. Values are those of VS Code 1.104's defaults (Light 2026, Dark 2026, Default High
// Contrast, Default High Contrast Light): the theme file's colour where it sets one, else the colour registry's
// default for that kind (alpha blends written as rgba). Only the tokens the chat's CSS (and VS Code's default webview
// style) reads are listed; a token a theme leaves unset is absent, as in VS Code.

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface ThemeFixture {
  kind: ThemeKind;
  name: string;
  bodyClasses: string[];
  colors: Record<string, string>;
}

export const THEMES: ThemeFixture[] = [
  {
    kind: 'light',
    name: 'Light 2026',
    bodyClasses: ['vscode-light'],
    colors: {
      'foreground': '#202020', 'editor-foreground': '#202020', 'sideBar-background': '#FAFAFD', 'editor-background': '#FFFFFF',
      'descriptionForeground': '#606060', 'textLink-foreground': '#0069CC', 'textLink-activeForeground': '#0069CC',
      'textPreformat-foreground': '#606060', 'textPreformat-background': '#ECECEC', 'textCodeBlock-background': '#EAEAEA',
      'textBlockQuote-background': '#EAEAEA', 'textBlockQuote-border': '#F0F1F2',
      'button-foreground': '#FFFFFF', 'button-background': '#0069CC', 'button-hoverBackground': '#0063C1', 'button-border': '#0069CC',
      'button-secondaryForeground': '#202020', 'button-secondaryBackground': '#EAEAEA', 'button-secondaryBorder': '#EAEAEA',
      'button-secondaryHoverBackground': '#F2F3F4',
      'input-background': '#FFFFFF', 'input-foreground': '#202020', 'input-border': '#D8D8D866',
      'inputValidation-errorForeground': '#202020', 'inputValidation-errorBackground': '#FDEDED', 'inputValidation-errorBorder': '#ad0707',
      'errorForeground': '#ad0707', 'icon-foreground': '#606060', 'panel-border': '#F0F1F2', 'focusBorder': '#0069CC',
      'list-inactiveSelectionBackground': '#DADADA99', 'toolbar-hoverBackground': '#0000001F', 'widget-shadow': '#00000000',
    },
  },
  {
    kind: 'dark',
    name: 'Dark 2026',
    bodyClasses: ['vscode-dark'],
    colors: {
      'foreground': '#bfbfbf', 'editor-foreground': '#BBBEBF', 'sideBar-background': '#191A1B', 'editor-background': '#121314',
      'descriptionForeground': '#8C8C8C', 'textLink-foreground': '#48A0C7', 'textLink-activeForeground': '#53A5CA',
      'textPreformat-foreground': '#8C8C8C', 'textPreformat-background': '#262626', 'textCodeBlock-background': '#242526',
      'textBlockQuote-background': '#242526', 'textBlockQuote-border': '#2A2B2C',
      'button-foreground': '#FFFFFF', 'button-background': '#297AA0', 'button-border': '#297AA0',
      'button-secondaryForeground': '#CCCCCC', 'button-secondaryBackground': '#00000000', 'button-secondaryBorder': '#333536',
      'button-secondaryHoverBackground': '#FFFFFF10',
      'input-background': '#191A1B', 'input-foreground': '#bfbfbf', 'input-border': '#333536',
      'inputValidation-errorForeground': '#bfbfbf', 'inputValidation-errorBackground': '#3A1D1D', 'inputValidation-errorBorder': '#BE1100',
      'errorForeground': '#f48771', 'icon-foreground': '#8C8C8C', 'panel-border': '#2A2B2C', 'focusBorder': '#3994BCB3',
      'list-inactiveSelectionBackground': '#2C2D2E', 'toolbar-hoverBackground': '#5a5d5e50',
    },
  },
  {
    kind: 'high-contrast',
    name: 'Default High Contrast',
    bodyClasses: ['vscode-high-contrast'],
    colors: {
      'foreground': '#FFFFFF', 'editor-foreground': '#FFFFFF', 'sideBar-background': '#000000', 'editor-background': '#000000',
      'descriptionForeground': 'rgba(255, 255, 255, 0.7)', 'textLink-foreground': '#21A6FF', 'textLink-activeForeground': '#21A6FF',
      'textPreformat-foreground': '#FFFFFF', 'textCodeBlock-background': '#000000', 'textBlockQuote-border': '#FFFFFF',
      'button-foreground': '#FFFFFF', 'button-background': '#000000', 'button-border': '#6FC3DF',
      'button-secondaryForeground': '#FFFFFF', 'button-secondaryBorder': '#6FC3DF',
      'input-background': '#000000', 'input-foreground': '#FFFFFF', 'input-border': '#6FC3DF',
      'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#6FC3DF',
      'errorForeground': '#F48771', 'icon-foreground': '#FFFFFF', 'panel-border': '#6FC3DF', 'contrastBorder': '#6FC3DF',
      'focusBorder': '#F38518',
    },
  },
  {
    kind: 'high-contrast-light',
    name: 'Default High Contrast Light',
    // VS Code adds vscode-high-contrast too for the light high-contrast kind.
    bodyClasses: ['vscode-high-contrast-light', 'vscode-high-contrast'],
    colors: {
      'foreground': '#292929', 'editor-foreground': '#292929', 'sideBar-background': '#FFFFFF', 'editor-background': '#FFFFFF',
      'descriptionForeground': 'rgba(41, 41, 41, 0.7)', 'textLink-foreground': '#0F4A85', 'textLink-activeForeground': '#0F4A85',
      'textPreformat-foreground': '#FFFFFF', 'textPreformat-background': '#09345f', 'textCodeBlock-background': '#F2F2F2',
      'textBlockQuote-background': '#F2F2F2', 'textBlockQuote-border': '#292929',
      'button-foreground': '#FFFFFF', 'button-background': '#0F4A85', 'button-border': '#0F4A85',
      'button-secondaryForeground': '#292929', 'button-secondaryBackground': '#FFFFFF', 'button-secondaryBorder': '#0F4A85',
      'input-background': '#FFFFFF', 'input-foreground': '#292929', 'input-border': '#0F4A85',
      'inputValidation-errorForeground': '#292929', 'inputValidation-errorBackground': '#FFFFFF', 'inputValidation-errorBorder': '#0F4A85',
      'errorForeground': '#B5200D', 'icon-foreground': '#292929', 'panel-border': '#0F4A85', 'contrastBorder': '#0F4A85',
      'focusBorder': '#006BBD', 'list-inactiveSelectionBackground': 'rgba(15, 74, 133, 0.1)',
    },
  },
];

/**
 * The rules of VS Code's own default webview stylesheet that colour text (it sits in a cascade layer under the page's
 * styles): without them a test would miss what the page does not override, such as inline code's colour.
 */
export const VSCODE_DEFAULT_WEBVIEW_CSS = `@layer vscode-default {
  body { background-color: transparent; color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }
  a, a code { color: var(--vscode-textLink-foreground); }
  a:hover { color: var(--vscode-textLink-activeForeground); }
  code { color: var(--vscode-textPreformat-foreground); background-color: var(--vscode-textPreformat-background); padding: 1px 3px; border-radius: 4px; }
  pre code { padding: 0; }
  blockquote { background: var(--vscode-textBlockQuote-background); border-color: var(--vscode-textBlockQuote-border); }
}`;

/**
 * A script that gives the open chat page the theme's variables and body classes as VS Code does, and VS Code's default
 * styles (as a constructed stylesheet: the page's CSP admits no inline <style>, and VS Code injects them itself).
 */
export function applyThemeScript(theme: ThemeFixture): string {
  return `(() => {
    const colors = ${JSON.stringify(theme.colors)};
    const root = document.documentElement;
    root.style.setProperty('--vscode-font-family', 'sans-serif');
    root.style.setProperty('--vscode-font-size', '13px');
    root.style.setProperty('--vscode-editor-font-family', 'monospace');
    for (const [name, value] of Object.entries(colors)) root.style.setProperty('--vscode-' + name, value);
    document.body.classList.add(...${JSON.stringify(theme.bodyClasses)});
    document.body.dataset.vscodeThemeKind = ${JSON.stringify(`vscode-${theme.kind}`)};
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(${JSON.stringify(VSCODE_DEFAULT_WEBVIEW_CSS)});
    document.adoptedStyleSheets = [sheet, ...document.adoptedStyleSheets];
  })()`;
}

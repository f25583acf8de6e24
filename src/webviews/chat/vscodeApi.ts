// The chat's channel to the extension host; typed so that only WebviewToHost messages can be posted.
import type { WebviewToHost } from '../../common/protocol';
import { vscodeApi, type VsCodeApi } from '../common/vscodeApi';

/** What the webview keeps across being hidden and shown again. */
export interface WebviewState {
  draft: string;
  scrollTop: number;
  followAnswer: boolean;
}

export class HostChannel {
  private readonly api: VsCodeApi = vscodeApi();

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  getState(): WebviewState | undefined {
    const state = this.api.getState() as Partial<WebviewState> | undefined;
    if (!state || typeof state !== 'object') return undefined;
    return {
      draft: typeof state.draft === 'string' ? state.draft : '',
      scrollTop: typeof state.scrollTop === 'number' ? state.scrollTop : 0,
      followAnswer: state.followAnswer !== false,
    };
  }

  setState(state: WebviewState): void {
    this.api.setState(state);
  }
}

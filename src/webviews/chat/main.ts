// Chat webview entry: validates everything the host sends, then hands it to the chat view.
import '../common/zodConfig';
import { ChatSnapshotSchema } from '../../common/chatTypes';
import { HostToWebviewSchema } from '../../common/protocol';
import { boot } from '../common/boot';
import { ChatApp } from './app';
import { HostChannel } from './vscodeApi';

boot(new ChatApp(document.getElementById('app') ?? document.body, new HostChannel()), { state: ChatSnapshotSchema, message: HostToWebviewSchema });

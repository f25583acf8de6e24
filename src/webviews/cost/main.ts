// Cost view entry: reads the first data from the page, validates everything the host sends, hands it to the app.
import '../common/zodConfig';
import { CostViewDataSchema, HostToCostViewSchema, type CostViewToHost } from '../../common/costViewProtocol';
import { boot } from '../common/boot';
import { vscodeApi } from '../common/vscodeApi';
import { CostApp } from './app';

const api = vscodeApi();
boot(new CostApp(document.getElementById('app') ?? document.body, { post: (message: CostViewToHost) => api.postMessage(message) }), { state: CostViewDataSchema, message: HostToCostViewSchema });

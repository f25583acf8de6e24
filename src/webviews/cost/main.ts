// Cost view entry: reads the first data from the page, hands each host message of its kinds to the app (the host
// validated everything first: see ../common/boot.ts).
import type { CostViewToHost, HostToCostView } from '../../common/costViewProtocol';
import { boot } from '../common/boot';
import { vscodeApi } from '../common/vscodeApi';
import { CostApp } from './app';

const api = vscodeApi();
const HOST_MESSAGES: Record<HostToCostView['type'], true> = { data: true };
boot(new CostApp(document.getElementById('app') ?? document.body, { post: (message: CostViewToHost) => api.postMessage(message) }), HOST_MESSAGES);

import { definePlugin } from '@walt/sdk';
import { PC_INSTALL_TOPIC } from './help-topic.js';
import { PC_X86_32, PC_X86_64 } from './models.js';

export { PC_X86_32, PC_X86_64 } from './models.js';
export { PC_INSTALL_TOPIC } from './help-topic.js';

export default definePlugin({
  name: '@walt/plugin-pc-x86',
  version: '1.0.0',
  register(api) {
    api.nodeModel(PC_X86_64);
    api.nodeModel(PC_X86_32);
    api.helpTopic(PC_INSTALL_TOPIC);
  },
});

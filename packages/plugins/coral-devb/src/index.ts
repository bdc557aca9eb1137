import { definePlugin } from '@walt/sdk';
import { CORAL_INSTALL_TOPIC } from './help-topic.js';
import { CORAL_DEV_BOARD } from './models.js';

export * from './models.js';
export { CORAL_INSTALL_TOPIC } from './help-topic.js';

export default definePlugin({
  name: '@walt/plugin-coral-devb',
  version: '1.0.0',
  register(api) {
    api.nodeModel(CORAL_DEV_BOARD);
    api.helpTopic(CORAL_INSTALL_TOPIC);
  },
});

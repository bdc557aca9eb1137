import { definePlugin } from '@walt/sdk';
import { RPI_3B_PLUS_INSTALL_TOPIC } from './help-topic.js';
import { RPI_3_B_PLUS } from './models.js';

export * from './models.js';
export { RPI_3B_PLUS_INSTALL_TOPIC } from './help-topic.js';

export default definePlugin({
  name: '@walt/plugin-rpi-3b-plus',
  version: '1.0.0',
  register(api) {
    api.nodeModel(RPI_3_B_PLUS);
    api.helpTopic(RPI_3B_PLUS_INSTALL_TOPIC);
  },
});

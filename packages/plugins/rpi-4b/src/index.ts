import { definePlugin } from '@walt/sdk';
import { RPI_4B_INSTALL_TOPIC } from './help-topic.js';
import { RPI_4_B, RPI_400 } from './models.js';

export * from './models.js';
export { RPI_4B_INSTALL_TOPIC } from './help-topic.js';

export default definePlugin({
  name: '@walt/plugin-rpi-4b',
  version: '1.0.0',
  register(api) {
    api.nodeModel(RPI_4_B);
    api.nodeModel(RPI_400);
    api.helpTopic(RPI_4B_INSTALL_TOPIC);
  },
});

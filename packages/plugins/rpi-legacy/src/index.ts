import { definePlugin } from '@walt/sdk';
import { RPI_LEGACY_INSTALL_TOPIC } from './help-topic.js';
import { RPI_B, RPI_B_PLUS, RPI_2_B, RPI_3_B } from './models.js';

export * from './models.js';
export { RPI_LEGACY_INSTALL_TOPIC } from './help-topic.js';

export default definePlugin({
  name: '@walt/plugin-rpi-legacy',
  version: '1.0.0',
  register(api) {
    api.nodeModel(RPI_B);
    api.nodeModel(RPI_B_PLUS);
    api.nodeModel(RPI_2_B);
    api.nodeModel(RPI_3_B);
    api.helpTopic(RPI_LEGACY_INSTALL_TOPIC);
  },
});

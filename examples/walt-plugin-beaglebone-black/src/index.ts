import { definePlugin } from '@walt/sdk';
import { BEAGLEBONE_BLACK } from './beaglebone-black-model.js';
import { INSTALL_TOPIC } from './install-topic.js';

export { BEAGLEBONE_BLACK, BEAGLEBONE_BLACK_ID } from './beaglebone-black-model.js';
export { INSTALL_TOPIC } from './install-topic.js';

/** A third-party WalT plugin: one node model and its install instructions, written only against @walt/sdk. */
export default definePlugin({
  name: 'walt-plugin-beaglebone-black',
  version: '1.0.0',
  register(api) {
    api.nodeModel(BEAGLEBONE_BLACK);
    api.helpTopic(INSTALL_TOPIC);
    api.context.logger.debug(`node model ${BEAGLEBONE_BLACK.id} registered`);
  },
});
